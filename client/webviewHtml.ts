// The HTML shell of a webview panel: strict Content Security Policy with a nonce, no remote
// content, only the bundled script and the theme-aware stylesheet from the extension.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function localRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: localRoots(extensionUri), enableFindWidget: true };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const js = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${script}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>${title}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
}

/** Request/response over postMessage: `probe` messages carry an id; the webview answers with the same id. */
export class Probes<T> {
  private next = 1;
  private readonly waiting = new Map<number, (v: T) => void>();
  ask(send: (id: number) => void, ms = 10_000): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(id); reject(new Error('the panel did not answer')); }, ms);
      this.waiting.set(id, (v) => { clearTimeout(timer); resolve(v); });
      send(id);
    });
  }
  answer(id: number, v: T): void { this.waiting.get(id)?.(v); this.waiting.delete(id); }
}
