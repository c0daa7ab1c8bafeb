/** Small DOM helpers: elements from a tag and attributes, and MNIST digits drawn on canvases. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | number | boolean | EventListener> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === false) continue;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function clear(element: Element, ...children: Child[]): void {
  element.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
}

export function decodePixels(base64: string): Uint8Array {
  const binary = atob(base64);
  const pixels = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) pixels[index] = binary.charCodeAt(index);
  return pixels;
}

/** Paints 784 grey levels (light ink on black, as MNIST) onto a 28×28 canvas the CSS scales up. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: Uint8Array): void {
  canvas.width = 28;
  canvas.height = 28;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(28, 28);
  for (let index = 0; index < 784; index++) {
    // Shown dark on light, as ink on paper; the model sees the grey levels as they are.
    const level = 255 - pixels[index]!;
    image.data[index * 4] = level;
    image.data[index * 4 + 1] = level;
    image.data[index * 4 + 2] = level;
    image.data[index * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

export function digitCanvas(pixels: Uint8Array | string, className = 'digit'): HTMLCanvasElement {
  const canvas = h('canvas', { class: className });
  paintDigit(canvas, typeof pixels === 'string' ? decodePixels(pixels) : pixels);
  return canvas;
}

export const percent = (value: number, digits = 2): string => `${(value * 100).toFixed(digits)}%`;
export const count = (value: number): string => value.toLocaleString('en-US');
