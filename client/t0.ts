// The first import of the extension: when its bundle started to evaluate (the activation figure).
export const loadStarted = performance.now();
