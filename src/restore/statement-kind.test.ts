import { describe, expect, it } from 'vitest'
import { copyTableName, planPostData, statementKind } from './statement-kind.js'

describe('statementKind', () => {
  it('tells indexes, keys, foreign keys, settings and COPY apart', () => {
    expect(
      statementKind('CREATE UNIQUE INDEX u ON public.users USING btree (lower(username));'),
    ).toBe('index')
    expect(
      statementKind(
        'ALTER TABLE ONLY public.users\n    ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
      ),
    ).toBe('index')
    expect(statementKind('ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_key UNIQUE (a);')).toBe(
      'index',
    )
    expect(
      statementKind(
        'ALTER TABLE public.events\n    ADD CONSTRAINT e_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
      ),
    ).toBe('foreign-key')
    expect(statementKind("SELECT pg_catalog.set_config('search_path', '', false);")).toBe('setting')
    expect(statementKind('SET standard_conforming_strings = on;')).toBe('setting')
    expect(statementKind('COPY "public"."users" ("id") FROM stdin;')).toBe('copy')
    expect(
      statementKind('CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();'),
    ).toBe('other')
    expect(statementKind('ALTER TABLE public.a ADD CONSTRAINT c CHECK (x > 0) NOT VALID;')).toBe(
      'other',
    )
  })

  it('is not fooled by keywords inside names or literals', () => {
    expect(
      statementKind(
        'ALTER TABLE ONLY public.t\n    ADD CONSTRAINT "x FOREIGN KEY y" PRIMARY KEY (id);',
      ),
    ).toBe('index')
    expect(statementKind("COMMENT ON INDEX i IS 'CREATE INDEX ; ADD CONSTRAINT';")).toBe('other')
  })
})

describe('copyTableName', () => {
  it('names the table as the manifest does', () => {
    expect(copyTableName('COPY "Billing"."Invoice Lines" ("a") FROM stdin;')).toBe(
      'Billing.Invoice Lines',
    )
    expect(copyTableName('COPY public.users (id, email) FROM stdin;')).toBe('public.users')
    expect(copyTableName('COPY "we""ird"."t" ("a") FROM stdin;')).toBe('we"ird.t')
  })
})

describe('planPostData', () => {
  it('puts indexes first, foreign keys after everything that preceded them, and keeps the rest in order', () => {
    const plan = planPostData([
      'ALTER TABLE ONLY a ADD CONSTRAINT a_pkey PRIMARY KEY (id);',
      'CREATE INDEX i ON a (x);',
      'ALTER INDEX p ATTACH PARTITION c;',
      'CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();',
      'ALTER TABLE ONLY b ADD CONSTRAINT b_fk FOREIGN KEY (a) REFERENCES a(id);',
      "COMMENT ON CONSTRAINT b_fk ON b IS 'x';",
      'REFRESH MATERIALIZED VIEW m;',
    ])
    expect(plan.indexes).toHaveLength(2)
    expect(plan.beforeForeignKeys).toEqual([
      'ALTER INDEX p ATTACH PARTITION c;',
      'CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();',
    ])
    expect(plan.foreignKeys).toHaveLength(1)
    expect(plan.afterForeignKeys).toEqual([
      "COMMENT ON CONSTRAINT b_fk ON b IS 'x';",
      'REFRESH MATERIALIZED VIEW m;',
    ])
  })
})
