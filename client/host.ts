// Everything the extension loads right after the language server starts, in one bundle
// (dist/features.js) so that core is bundled once: previews, evals and runs, training, drafting.
export { registerFeatures } from './features';
export { registerTraining } from './training/index';
export { registerDrafting } from './drafting';
