package dev.wasmhost;

/** What an import or export is: a function, a table, a memory, a global or an exception tag. */
public enum ExternKind {
  FUNCTION,
  TABLE,
  MEMORY,
  GLOBAL,
  TAG
}
