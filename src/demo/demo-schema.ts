/**
 * The demo's "production" database: a small SaaS with organizations, users,
 * orders and events, full of personal-looking values. Everything is made in
 * SQL from generate_series, deterministically (no random(), no now()), so it
 * loads in well under a second and ships inside dist/ (no test fixtures).
 *
 * Cities are European on purpose: the `city` transformer picks US city names,
 * so a fake can never equal its original and the demo's comparison is exact.
 */
export const demoSchema = `
CREATE SEQUENCE public.invoice_number_seq START WITH 100001;

CREATE TABLE public.organizations (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  plan text NOT NULL CHECK (plan IN ('free', 'team', 'business')),
  billing_email text NOT NULL,
  vat_number text,
  created_at timestamptz NOT NULL
);

CREATE TABLE public.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id integer NOT NULL REFERENCES public.organizations (id),
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  phone text,
  street_address text,
  city text,
  born_on date,
  signup_ip inet,
  role text NOT NULL DEFAULT 'member',
  created_at timestamptz NOT NULL
);

CREATE TABLE public.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES public.users (id),
  invoice_number bigint NOT NULL UNIQUE DEFAULT nextval('public.invoice_number_seq'),
  status text NOT NULL,
  total numeric(10, 2) NOT NULL CHECK (total > 0),
  shipping_address text,
  placed_at timestamptz NOT NULL
);
CREATE INDEX orders_user_id_idx ON public.orders (user_id);

CREATE TABLE public.events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint REFERENCES public.users (id) ON DELETE SET NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX events_user_id_idx ON public.events (user_id);
`

const firstNames = `'Ada', 'Grace', 'Alan', 'Zoë', 'Bob', 'Charles', 'Émilie', 'Linus', 'Margaret', 'Dennis',
  'Barbara', 'Ken', 'Frances', 'Tim', 'Radia', 'Guido', 'Hedy', 'Edsger', 'Sophie', 'Niklaus'`
const lastNames = `'Lovelace', 'Hopper', 'Turing', 'Ångström', 'O''Connor', 'Babbage', 'du Châtelet',
  'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Berners-Lee', 'Perlman',
  'van Rossum', 'Lamarr', 'Dijkstra', 'Wilson', 'Wirth'`
const streets = `'Rue de Rivoli', 'Kungsgatan', 'Via Roma', 'Calle Mayor', 'Königsallee', 'Nowy Świat',
  'Damrak', 'Rua Augusta', 'Váci utca', 'Karl Johans gate'`
const cities = `'Malmö', 'Zürich', 'Kraków', 'Köln', 'Besançon', 'Tromsø', 'Łódź', 'Göteborg',
  'Århus', 'Brașov', 'Gdańsk', 'Düsseldorf'`

/** Rows per table: a few thousand in all. */
export const demoRows = { organizations: 40, users: 1000, orders: 2500, events: 4000 } as const

/** INSERTs for `demoSchema`; the sequence ends past the last invoice number. */
export const demoData = `
INSERT INTO public.organizations (name, plan, billing_email, vat_number, created_at)
SELECT
  (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Wonka', 'Stark'])[i % 8 + 1]
    || ' ' || (ARRAY['Analytics', 'Logistics', 'Labs', 'Foods', 'Studios'])[i % 5 + 1] || ' ' || i,
  (ARRAY['free', 'team', 'business'])[i % 3 + 1],
  'billing+' || i || '@' || (ARRAY['acme', 'globex', 'initech', 'hooli'])[i % 4 + 1] || '.example',
  'EU' || lpad((i * 7919 % 1000000000)::text, 9, '0'),
  timestamptz '2022-01-03 09:00:00+00' + i * interval '5 days 3 hours'
FROM generate_series(1, ${demoRows.organizations}) AS i;

INSERT INTO public.users (
  organization_id, email, full_name, phone, street_address, city, born_on, signup_ip, role, created_at
)
SELECT
  i % ${demoRows.organizations} + 1,
  translate(lower(f || '.' || replace(replace(l, ' ', ''), '''', '')), 'ëéåâ', 'eeaa') || '.' || i
    || '@' || (ARRAY['example.com', 'mail.example', 'corp.example'])[i % 3 + 1],
  f || ' ' || l,
  '+44 20 7946 ' || lpad((i * 37 % 10000)::text, 4, '0'),
  (i % 180 + 1) || ' ' || (ARRAY[${streets}])[i % 10 + 1],
  (ARRAY[${cities}])[i * 7 % 12 + 1],
  date '1961-03-01' + (i * 4637 % 15000),
  ('198.51.' || (i / 250) || '.' || (i % 250 + 1))::inet,
  (ARRAY['member', 'member', 'member', 'admin'])[i % 4 + 1],
  timestamptz '2023-01-01 08:00:00+00' + i * interval '7 hours 13 minutes'
FROM generate_series(1, ${demoRows.users}) AS i,
  LATERAL (SELECT (ARRAY[${firstNames}])[i % 20 + 1] AS f, (ARRAY[${lastNames}])[i * 7 % 20 + 1] AS l) AS n;

INSERT INTO public.orders (user_id, status, total, shipping_address, placed_at)
SELECT
  u.id,
  (ARRAY['paid', 'paid', 'shipped', 'refunded'])[i % 4 + 1],
  5 + (i * 7919 % 50000) / 100.0,
  u.street_address || ', ' || u.city,
  u.created_at + (i % 90) * interval '1 day'
FROM generate_series(1, ${demoRows.orders}) AS i
JOIN public.users u ON u.id = i * 13 % ${demoRows.users} + 1;

INSERT INTO public.events (user_id, kind, payload, occurred_at)
SELECT
  u.id,
  k.kind,
  jsonb_build_object(
    'user', jsonb_build_object('email', u.email, 'name', u.full_name, 'phone', u.phone),
    'ip', host(u.signup_ip),
    'device', (ARRAY['iPhone', 'Android', 'Firefox on Linux', 'Safari on macOS'])[i % 4 + 1],
    'path', (ARRAY['/login', '/billing', '/settings/profile', '/checkout'])[i % 4 + 1]
  ),
  u.created_at + i * interval '11 minutes'
FROM generate_series(1, ${demoRows.events}) AS i
JOIN public.users u ON u.id = i * 17 % ${demoRows.users} + 1,
  LATERAL (SELECT (ARRAY['login', 'page_view', 'checkout', 'password_reset'])[i % 4 + 1] AS kind) AS k;

ANALYZE;
`
