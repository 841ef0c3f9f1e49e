export { type Compiled, type Compiler, createCompiler } from './compile.js'
export { isTransformerName, type TransformerName, transformers } from './registry.js'
export { stageForDigests } from './siphash.js'
export type {
  ByteSink,
  ByteTransform,
  ColumnInfo,
  ColumnKind,
  RuleSpec,
  Transformer,
  ValueTransform,
} from './transformer.js'
