/**
 * The model file formats the studio can save, in one place: the page's format list and the save
 * route both read this. Other formats join here as digitnet's saving grows them.
 */
import type { Sequential } from '../models/sequential.js';

export interface ModelFormat {
  readonly id: string;
  readonly label: string;
  readonly extension: string;
  readonly loadable: boolean;
  save(model: Sequential, path: string): void;
}

export const MODEL_FORMATS: readonly ModelFormat[] = [
  { id: 'safetensors', label: 'safetensors (digitnet, with optimizer state)', extension: '.safetensors', loadable: true, save: (model, path) => model.save(path) },
];

export const LOADABLE_EXTENSIONS = MODEL_FORMATS.filter((format) => format.loadable).map((format) => format.extension);

export function formatById(id: string): ModelFormat | undefined {
  return MODEL_FORMATS.find((format) => format.id === id);
}
