// The server's own LSP messages (beyond the protocol), typed once for the server, the VS Code
// client and the tests, like rust-analyzer's lsp_ext.
import { NotificationType } from 'vscode-languageserver-protocol';

export interface IndexedParams {
  /** Files read from disk by this scan. */
  files: number;
  ms: number;
  /** The workspace folders the scan covered. */
  roots: string[];
  /** True for the scan of the folders the editor started with (the first one). */
  initial: boolean;
}

/** Sent after a workspace scan; after the first one, every open file has been re-checked against the full index. */
export const IndexedNotification = new NotificationType<IndexedParams>('userlm/indexed');
