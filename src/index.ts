// Public API for task files and bundle definitions.
export { defineTask } from './task/define-task.js';
export { defineBundle, attr, secretRef } from './bundle/define-bundle.js';
export type { BundleDefinitionInput } from './bundle/definition.js';
export type { BundleHooks, HookContext, HookRelease, OnceStepInput } from './bundle/definition.js';
export type { TaskDefinition, TaskContext, ExecResult, RunOptions, StepOutcome, Selection } from './task/types.js';
export { quote, cmd, sh, and, secret, render, type Command, type Word, type Secret } from './shell/index.js';
export { step, type Step } from './ops/step.js';
export type { Fact } from './facts/fact.js';
export * as prep from './ops/prep/index.js';
export type { PrepOp, Handler as PrepHandler } from './ops/prep/index.js';
export type { Host, Attrs } from './inventory/types.js';
export { z } from 'zod';
