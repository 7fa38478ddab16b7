// First import of the extension: the time its bundle started loading (activation figure).
export const loadStarted = performance.now();
