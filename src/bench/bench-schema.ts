/**
 * The bench database: personal data in the shapes that cost a dump tool the
 * most (a unique email, jsonb with emails inside, free text, partitions,
 * arrays) next to a plain table that is kept as it is. Every value comes from
 * md5 of the row number, so the same scale always gives the same rows.
 */

/** Rows per table at scale 1 (about 400 MB of table data). */
export const rowsAtScale1 = {
  customers: 160_000,
  orders: 400_000,
  order_items: 600_000,
  support_messages: 80_000,
} as const

export type BenchTable = keyof typeof rowsAtScale1

export const benchTables = Object.keys(rowsAtScale1) as BenchTable[]

/** Rows per table at `scale`; scale 0 is the empty database. */
export function rowCounts(scale: number): Record<BenchTable, number> {
  const counts = {} as Record<BenchTable, number>
  for (const table of benchTables) {
    counts[table] = scale === 0 ? 0 : Math.max(100, Math.round(rowsAtScale1[table] * scale))
  }
  return counts
}

export const schemaSql = `
CREATE TABLE public.customers (
  id bigint NOT NULL,
  email text NOT NULL,
  username text NOT NULL,
  full_name text NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  phone text,
  street text,
  city text,
  postcode text,
  company text,
  born_on date,
  signup_ip inet,
  external_id uuid NOT NULL,
  balance numeric(12, 2) NOT NULL,
  api_token text,
  bio text,
  notes text,
  password_hash text,
  avatar_url text,
  tags text[],
  status text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE public.orders (
  id bigint NOT NULL,
  customer_id bigint NOT NULL,
  created_at timestamptz NOT NULL,
  status text NOT NULL,
  total numeric(12, 2) NOT NULL,
  currency text NOT NULL,
  shipping jsonb NOT NULL,
  gift_message text
) PARTITION BY RANGE (created_at);
CREATE TABLE public.orders_2021 PARTITION OF public.orders FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE public.orders_2022 PARTITION OF public.orders FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE public.orders_2023 PARTITION OF public.orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE public.orders_2024 PARTITION OF public.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.orders_default PARTITION OF public.orders DEFAULT;

CREATE TABLE public.order_items (
  id bigint NOT NULL,
  order_id bigint NOT NULL,
  line_no integer NOT NULL,
  sku text NOT NULL,
  quantity integer NOT NULL,
  unit_price numeric(10, 2) NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE public.support_messages (
  id bigint NOT NULL,
  customer_id bigint NOT NULL,
  sent_at timestamptz NOT NULL,
  from_email text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  client_ip inet
);
`

/** Added after the first load: building an index once is cheaper than maintaining it per row. */
export const constraintsSql: Record<BenchTable, string> = {
  customers:
    'ALTER TABLE public.customers ADD PRIMARY KEY (id), ADD CONSTRAINT customers_email_key UNIQUE (email)',
  orders: 'ALTER TABLE public.orders ADD PRIMARY KEY (id, created_at)',
  order_items: 'ALTER TABLE public.order_items ADD PRIMARY KEY (id)',
  support_messages: 'ALTER TABLE public.support_messages ADD PRIMARY KEY (id)',
}

const lorem =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt.'

const firstNames =
  'James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,Barbara,Richard,Susan,Joseph,Jessica,Thomas,Sarah,Charles,Karen,Chloé,José,Zoë,Søren,Aiko,Mateo,Priya,Olusegun,Ana,Łukasz'
const lastNames =
  "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Hernandez,Lopez,Gonzalez,Wilson,Anderson,Thomas,Taylor,Moore,Jackson,Martin,O'Brien,Müller,Nguyen,Kowalski,Rossi,Dubois,Tanaka,Okafor,Silva,Andersen"
const cities =
  'Springfield,Riverside,Fairview,Madison,Georgetown,Salem,Franklin,Clinton,Greenville,Bristol,Arlington,Ashland,Dover,Oxford,Jackson,Burlington,Manchester,Milton,Newport,Auburn'
const streets =
  'Main Street,Oak Avenue,Maple Drive,Cedar Lane,Elm Street,Pine Road,Washington Boulevard,Lake View,Hillcrest Court,Park Place,Sunset Boulevard,Church Street,Mill Road,Highland Avenue'
const domains =
  'gmail.com,yahoo.com,outlook.com,hotmail.com,icloud.com,proton.me,example.org,acme.io'
const tags = 'vip,newsletter,churn-risk,wholesale,beta,partner,student,gift,b2b,returning'

function textArray(csv: string): string {
  return `'${csv.replaceAll("'", "''").replaceAll(',', '","').replace(/^/, '{"').replace(/$/, '"}')}'::text[]`
}

/**
 * Helper functions for generation, dropped after the load so neither dump
 * sees them. Each is one immutable SQL expression, so the planner inlines it;
 * `text || int` is only stable, hence the explicit `::text` casts.
 */
export const generatorSql = `
CREATE SCHEMA bench_gen;
CREATE FUNCTION bench_gen.h(seed text, n bigint) RETURNS int IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT ('x' || substr(md5(seed || n::text), 1, 7))::bit(28)::int $$;
CREATE FUNCTION bench_gen.pick(list text[], seed text, n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT list[1 + bench_gen.h(seed, n) % cardinality(list)] $$;
CREATE FUNCTION bench_gen.first_name(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT bench_gen.pick(${textArray(firstNames)}, 'f', n) $$;
CREATE FUNCTION bench_gen.last_name(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT bench_gen.pick(${textArray(lastNames)}, 'l', n) $$;
CREATE FUNCTION bench_gen.email(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT lower(translate(bench_gen.first_name(n), 'éøëŁ''', 'eoeL')) || '.'
    || lower(translate(bench_gen.last_name(n), 'ü''', 'u')) || n::text || '@' || bench_gen.pick(${textArray(domains)}, 'd', n) $$;
CREATE FUNCTION bench_gen.phone(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT '+1 (' || (200 + bench_gen.h('p', n) % 800)::text || ') 555-' || lpad((bench_gen.h('q', n) % 10000)::text, 4, '0') $$;
CREATE FUNCTION bench_gen.street(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT (1 + bench_gen.h('s', n) % 9999)::text || ' ' || bench_gen.pick(${textArray(streets)}, 'st', n) $$;
CREATE FUNCTION bench_gen.city(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT bench_gen.pick(${textArray(cities)}, 'c', n) $$;
CREATE FUNCTION bench_gen.postcode(n bigint) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT lpad((bench_gen.h('z', n) % 100000)::text, 5, '0') $$;
CREATE FUNCTION bench_gen.lorem(seed text, n bigint, len int) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT btrim(substr('${lorem}', 1 + bench_gen.h(seed, n) % 300, len)) $$;
`

/** One INSERT … SELECT per table over the row numbers [$1, $2). */
export function insertSql(table: BenchTable, counts: Record<BenchTable, number>): string {
  const g = 'bench_gen'
  switch (table) {
    case 'customers':
      return `
INSERT INTO public.customers
SELECT n,
  ${g}.email(n),
  lower(translate(${g}.first_name(n), 'éøëŁ''', 'eoeL')) || '_' || n,
  ${g}.first_name(n) || ' ' || ${g}.last_name(n),
  ${g}.first_name(n),
  ${g}.last_name(n),
  ${g}.phone(n),
  ${g}.street(n),
  ${g}.city(n),
  ${g}.postcode(n),
  ${g}.last_name(n + 7) || ' ' || ${g}.pick('{LLC,Inc,GmbH,Ltd,Group}', 'co', n),
  date '1950-01-01' + ${g}.h('b', n) % 20000,
  '0.0.0.0'::inet + ${g}.h('ip', n) + 16777216,
  md5('u' || n)::uuid,
  (${g}.h('bal', n) % 10000000) / 100.0,
  md5('t' || n) || md5('t2' || n),
  'Hi, I''m ' || ${g}.first_name(n) || ', reach me at ' || ${g}.email(n) || ' or ' || ${g}.phone(n) || '. ' || ${g}.lorem('bio', n, 40 + ${g}.h('bl', n) % 200),
  CASE WHEN n % 3 = 0 THEN NULL ELSE 'Prefers calls after 5pm; account ' || n || ' verified by ' || ${g}.last_name(n + 3) END,
  '$2b$10$' || md5('pw' || n) || substr(md5('pw2' || n), 1, 21),
  CASE WHEN n % 4 = 0 THEN NULL ELSE 'https://cdn.example.com/avatars/' || md5('a' || n) || '.png' END,
  ARRAY[${g}.pick(${textArray(tags)}, 't1', n), ${g}.pick(${textArray(tags)}, 't2', n)],
  (ARRAY['active', 'active', 'active', 'suspended', 'deleted'])[1 + n % 5],
  timestamptz '2020-01-01' + (${g}.h('ca', n) % 157680000) * interval '1 second'
FROM generate_series($1::bigint, $2::bigint - 1) AS n`
    case 'orders':
      return `
INSERT INTO public.orders
SELECT n, c,
  timestamptz '2021-01-01' + (n % 1700) * interval '1 day' + (${g}.h('ot', n) % 86400) * interval '1 second',
  (ARRAY['paid', 'shipped', 'delivered', 'refunded'])[1 + n % 4],
  (${g}.h('tot', n) % 50000) / 100.0,
  'USD',
  jsonb_build_object(
    'email', ${g}.email(c),
    'name', ${g}.first_name(c) || ' ' || ${g}.last_name(c),
    'phone', ${g}.phone(c),
    'address', jsonb_build_object('street', ${g}.street(c), 'city', ${g}.city(c), 'postcode', ${g}.postcode(c), 'country', 'US'),
    'recipients', CASE WHEN n % 4 = 0
      THEN jsonb_build_array(jsonb_build_object('email', ${g}.email(c + 1), 'name', ${g}.first_name(c + 1) || ' ' || ${g}.last_name(c + 1)))
      ELSE '[]'::jsonb END,
    'carrier', (ARRAY['UPS', 'FedEx', 'DHL', 'USPS'])[1 + n % 4],
    'tracking', upper(substr(md5('tr' || n), 1, 18)),
    'items', 1 + n % 5,
    'gift', n % 7 = 0),
  CASE WHEN n % 5 = 0 THEN 'Happy birthday, ' || ${g}.first_name(c + 1) || '! ' || ${g}.lorem('gm', n, 20 + ${g}.h('gl', n) % 80) END
FROM (SELECT n, 1 + ${g}.h('oc', n) % ${counts.customers} AS c
      FROM generate_series($1::bigint, $2::bigint - 1) AS n OFFSET 0) AS s`
    case 'order_items':
      return `
INSERT INTO public.order_items
SELECT n, 1 + n / 2, (n % 2)::int + 1,
  'SKU-' || upper(substr(md5('sku' || (n % 5000)), 1, 10)),
  1 + ${g}.h('q', n) % 5,
  (${g}.h('up', n) % 20000) / 100.0,
  timestamptz '2021-01-01' + (n / 2 % 1700) * interval '1 day'
FROM generate_series($1::bigint, $2::bigint - 1) AS n`
    case 'support_messages':
      return `
INSERT INTO public.support_messages
SELECT n, c,
  timestamptz '2022-01-01' + (${g}.h('sa', n) % 94608000) * interval '1 second',
  ${g}.email(c),
  'Re: order ' || (1 + n * 3) || ' for ' || ${g}.first_name(c),
  'Hello, this is ' || ${g}.first_name(c) || ' ' || ${g}.last_name(c) || ' (' || ${g}.email(c) || ', ' || ${g}.phone(c)
    || '). My parcel to ' || ${g}.street(c) || ', ' || ${g}.city(c) || ' ' || ${g}.postcode(c) || ' did not arrive. '
    || ${g}.lorem('b1', n, 80 + ${g}.h('b2', n) % 300) || ' ' || ${g}.lorem('b3', n, 100),
  CASE WHEN n % 6 = 0 THEN NULL ELSE '0.0.0.0'::inet + ${g}.h('cip', n) + 16777216 END
FROM (SELECT n, 1 + ${g}.h('sc', n) % ${counts.customers} AS c
      FROM generate_series($1::bigint, $2::bigint - 1) AS n OFFSET 0) AS s`
  }
}
