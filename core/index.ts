// core: the engine, plain TypeScript, no `vscode` and no LSP imports.
export * from './generated/schema-types';
export { schemaFiles } from './generated/schemas';
export * from './model/load';
export { BUILT_IN_TACTICS } from './library/tactics';
