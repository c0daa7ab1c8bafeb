/** Whether a monitored value improves downwards or upwards: Keras's mode, 'auto' reading "acc" in the name as upwards. */
export function monitorDirection(monitor: string, mode: 'auto' | 'min' | 'max'): 'min' | 'max' {
  return mode !== 'auto' ? mode : /acc/.test(monitor) ? 'max' : 'min';
}

/** Refuses a monitor the fit will not report, before the first epoch, as earlyStopping does. */
export function checkMonitor(context: string, monitor: string, reported: readonly string[]): void {
  if (reported.includes(monitor)) return;
  const hint = monitor.startsWith('val_') && !reported.some((name) => name.startsWith('val_')) ? ' (fit() has no validation data: pass validationSplit or validationData)' : '';
  throw new Error(`${context} monitors "${monitor}", which training does not report${hint}; available are ${reported.join(', ')}.`);
}
