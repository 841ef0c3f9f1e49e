import type { Rules } from '../rules/rules-schema.js'

/**
 * Rules for the bench schema: every personal column goes through a
 * transformer (json paths and array elements included); only ids, amounts,
 * statuses and the order lines are kept. Partitions take public.orders' rules.
 */
export const benchRules = {
  tables: {
    'public.customers': {
      data: 'dump',
      columns: {
        id: 'keep',
        email: 'email',
        username: 'username',
        full_name: 'fullName',
        first_name: 'firstName',
        last_name: 'lastName',
        phone: 'phone',
        street: 'streetAddress',
        city: 'city',
        postcode: 'postcode',
        company: 'company',
        born_on: { transform: 'date', jitterDays: 30 },
        signup_ip: 'ip',
        external_id: 'uuid',
        balance: { transform: 'number', ratio: 0.2 },
        api_token: 'hash',
        bio: 'text',
        notes: 'redact',
        password_hash: { transform: 'const', value: 'not-a-real-hash' },
        avatar_url: 'null',
        tags: { transform: 'array', each: 'word' },
        status: 'keep',
        created_at: 'keep',
      },
    },
    'public.orders': {
      data: 'dump',
      columns: {
        id: 'keep',
        customer_id: 'keep',
        created_at: 'keep',
        status: 'keep',
        total: 'keep',
        currency: 'keep',
        shipping: {
          transform: 'json',
          paths: {
            '$.email': 'email',
            '$.name': 'fullName',
            '$.phone': 'phone',
            '$.address.street': 'streetAddress',
            '$.address.city': 'city',
            '$.address.postcode': 'postcode',
            '$.recipients[*].email': 'email',
            '$.recipients[*].name': 'fullName',
          },
        },
        gift_message: 'text',
      },
    },
    'public.order_items': {
      data: 'dump',
      columns: {
        id: 'keep',
        order_id: 'keep',
        line_no: 'keep',
        sku: 'keep',
        quantity: 'keep',
        unit_price: 'keep',
        created_at: 'keep',
      },
    },
    'public.support_messages': {
      data: 'dump',
      columns: {
        id: 'keep',
        customer_id: 'keep',
        sent_at: { transform: 'date', jitterDays: 30 },
        from_email: 'email',
        subject: 'redact',
        body: 'text',
        client_ip: 'ip',
      },
    },
  },
} satisfies Rules
