import * as vscode from 'vscode';
import type { Keys } from './secrets';
export interface FeaturesApi { }
export function registerFeatures(_c: vscode.ExtensionContext, _d: { log: vscode.LogOutputChannel; keys: Keys }): FeaturesApi { return {}; }
