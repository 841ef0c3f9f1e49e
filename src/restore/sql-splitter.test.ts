import { describe, expect, it } from 'vitest'
import { type DumpPiece, nextPiece } from './sql-splitter.js'

function pieces(text: string): DumpPiece[] {
  const out: DumpPiece[] = []
  let at = 0
  for (;;) {
    const piece = nextPiece(text, at, true)
    if (!piece) return out
    out.push(piece)
    at = piece.end
  }
}

const sqlOf = (text: string) =>
  pieces(text).map((p) => (p.kind === 'sql' ? p.sql : `\\${p.command} ${p.argument}`))

describe('nextPiece', () => {
  it('splits statements at semicolons and skips comments between them', () => {
    expect(sqlOf('--\n-- Name: a\n--\n\nCREATE TABLE a (x int);\n/* c; */ SELECT 1;\n')).toEqual([
      'CREATE TABLE a (x int);',
      'SELECT 1;',
    ])
  })

  it('keeps semicolons inside strings, identifiers, dollar quotes and comments', () => {
    const fn =
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b'; -- x;\n$body$;"
    expect(sqlOf(`${fn}\nCOMMENT ON TABLE "we;ird" IS 'it''s; fine';\n`)).toEqual([
      fn,
      `COMMENT ON TABLE "we;ird" IS 'it''s; fine';`,
    ])
  })

  it("reads backslash escapes in E'' strings only", () => {
    expect(sqlOf("SELECT E'a\\';b';\nSELECT 'c\\';\n")).toEqual([
      "SELECT E'a\\';b';",
      "SELECT 'c\\';",
    ])
  })

  it('reads \\restrict and \\unrestrict as meta-commands, and the statement after them whole', () => {
    const text =
      '\\restrict abc123\n\nSET x = 1;\n\\unrestrict abc123\n\nALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES public.b(id);\n'
    expect(pieces(text).map((p) => p.kind)).toEqual(['meta', 'sql', 'meta', 'sql'])
    expect(sqlOf(text)).toEqual([
      '\\restrict abc123',
      'SET x = 1;',
      '\\unrestrict abc123',
      'ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES public.b(id);',
    ])
  })

  it('reads a meta-command on the last line without a newline', () => {
    expect(sqlOf('SELECT 1;\n\\unrestrict k')).toEqual(['SELECT 1;', '\\unrestrict k'])
    expect(nextPiece('\\unrestrict k', 0, false)).toBeNull()
  })

  it('keeps a backslash line inside a function body as part of the statement', () => {
    const fn = 'CREATE FUNCTION f() RETURNS text AS $$\n\\unrestrict k\n$$ LANGUAGE sql;'
    expect(sqlOf(fn)).toEqual([fn])
  })

  it('asks for more input while a statement, a string or a comment is unfinished', () => {
    expect(nextPiece('SELECT 1', 0, false)).toBeNull()
    expect(nextPiece("SELECT ';", 0, false)).toBeNull()
    expect(nextPiece('SELECT $$;', 0, false)).toBeNull()
    expect(nextPiece('/* ; ', 0, false)).toBeNull()
    expect(nextPiece("SELECT 'a'", 0, false)).toBeNull()
    expect(nextPiece('SELECT 1;', 0, false)).toMatchObject({ sql: 'SELECT 1;', end: 9 })
  })

  it('returns an unterminated last statement at the end of input', () => {
    expect(sqlOf('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1;', 'SELECT 2'])
  })
})
