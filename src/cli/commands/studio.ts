/**
 * `digitnet studio`: the notebooks as a local web app. Prints the URL (with its token) and opens
 * nothing; Ctrl-C ends a training in progress and closes the server.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startStudio } from '../../studio/server.js';
import { UsageError } from '../errors.js';
import { print } from '../table.js';

export interface StudioCommandOptions {
  port?: string;
  host?: string;
  workspace?: string;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8321;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--port ${JSON.stringify(value)} is not a port: give an integer from 0 to 65535 (0 picks a free one).`);
  }
  return port;
}

export function registerStudio(program: Command): void {
  program
    .command('studio')
    .description('a local web app: look at the data, build a model, train it live, inspect it, draw digits')
    .option('--port <N>', 'the port to listen on (0 picks a free one)', '8321')
    .option('--host <HOST>', 'the address to bind (127.0.0.1; another address lets other machines in)')
    .option('--workspace <DIR>', 'where saved models are kept', 'digitnet-studio')
    .action(async (options: StudioCommandOptions) => {
      const port = parsePort(options.port);
      const host = options.host ?? '127.0.0.1';
      if (host.trim() === '') throw new UsageError('--host is blank: give an address such as 127.0.0.1.');
      const workspace = resolve(options.workspace ?? 'digitnet-studio');
      let studio;
      try {
        studio = await startStudio({ workspace, host, port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UsageError(`Port ${port} is in use: give another with --port (0 picks a free one).`);
        if (code === 'EADDRNOTAVAIL') throw new UsageError(`--host ${host} is not an address of this machine.`);
        throw error;
      }
      if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
        process.stderr.write(`digitnet: warning: the studio listens on ${host}, so other machines can reach it; anyone with the URL's token can train and save files in ${workspace}.\n`);
      }
      print(`digitnet studio: workspace ${workspace}`);
      print(`open ${studio.url}`);
      print('(Ctrl-C stops it)');
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          print('\nstopping the studio…');
          void studio.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
