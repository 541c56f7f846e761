import type { JsonSchema, Reference } from './reference';

/**
 * OpenAPI 3.1 for the public queries and mutations over HTTP (subscriptions need the WebSocket), so a
 * client in any language can be generated. tRPC's wire format as it is: a query is GET with `?input=`
 * (JSON), a mutation POST with a JSON body, the answer `{ result: { data } }`.
 */
export function toOpenApi(ref: Reference): Record<string, unknown> {
  const errorSchema: JsonSchema = {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          code: { type: 'integer', description: 'JSON-RPC error code' },
          data: {
            type: 'object',
            properties: {
              code: { type: 'string', description: 'tRPC error code' },
              httpStatus: { type: 'integer' },
              appCode: { type: 'string', enum: ref.errors.codes.map((c) => c.appCode) },
              details: {
                type: ['object', 'null'],
                additionalProperties: { type: ['string', 'number', 'boolean'] },
              },
              zodError: { type: ['object', 'null'] },
            },
            required: ['code', 'httpStatus', 'appCode'],
          },
        },
        required: ['message', 'code', 'data'],
      },
    },
    required: ['error'],
  };
  const paths: Record<string, unknown> = {};
  for (const p of ref.procedures) {
    if (!p.public || p.type === 'subscription') continue;
    const success = {
      description: 'Success',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              result: { type: 'object', properties: { data: p.output ?? {} }, required: ['data'] },
            },
            required: ['result'],
          },
        },
      },
    };
    const responses: Record<string, unknown> = { '200': success };
    for (const e of p.errors) {
      const status = String(e.httpStatus);
      const prior = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: prior ? `${prior.description}, ${e.appCode}` : e.appCode,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const scope = p.auth.apiKey?.scope;
    const operation: Record<string, unknown> = {
      operationId: p.path,
      summary: p.description ?? p.path,
      description: scope ? `API key scope: \`${scope}\`.` : 'Any API key.',
      tags: [p.path.split('.')[0]],
      responses,
    };
    if (p.type === 'query') {
      if (p.input)
        operation.parameters = [
          {
            name: 'input',
            in: 'query',
            required: false,
            content: { 'application/json': { schema: p.input } },
          },
        ];
      paths[`/trpc/${p.path}`] = { get: operation };
    } else {
      if (p.input)
        operation.requestBody = { required: true, content: { 'application/json': { schema: p.input } } };
      paths[`/trpc/${p.path}`] = { post: operation };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: ref.title,
      version: ref.version,
      description: `${ref.transport.http}\n\n${ref.transport.auth}\n\nThe full reference: /docs.`,
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'fk_live_… or fk_test_…' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
