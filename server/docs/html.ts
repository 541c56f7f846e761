import type { JsonSchema, ProcedureReference, Reference } from './reference';

/**
 * The reference as one static HTML page (server-rendered, no script): a developer reference in English,
 * readable on a phone (one column, code scrolls sideways inside its box).
 */

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `code` spans for backticked words in the reference's prose. */
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (path: string) => `p-${path.replace(/[^A-Za-z0-9]/g, '-')}`;

const json = (v: JsonSchema | null) => (v ? JSON.stringify(v, null, 2) : 'none');

const code = (text: string, label: string) =>
  `<pre tabindex="0" aria-label="${esc(label)}"><code>${esc(text)}</code></pre>`;

function authText(p: ProcedureReference): string {
  const s = p.auth.session;
  const session =
    s === 'anyone'
      ? 'anyone, signed in or not'
      : s === 'signed-in'
        ? 'any signed-in user'
        : `signed in as ${s.roles.join(' or ')}`;
  const key = !p.auth.apiKey
    ? 'not callable with an API key'
    : p.auth.apiKey.scope
      ? `API key with <code>${esc(p.auth.apiKey.scope)}</code>`
      : 'any API key';
  return `${key}; with a session: ${esc(session)}`;
}

function procedureSection(p: ProcedureReference): string {
  const errors = p.errors
    .map((e) => `<li><code>${e.appCode}</code> (${e.trpcCode}, HTTP ${e.httpStatus})</li>`)
    .join('');
  return `<section class="proc" id="${anchor(p.path)}">
<h3><code>${esc(p.path)}</code> <span class="tag">${p.type}</span></h3>
${p.description ? `<p>${prose(p.description)}</p>` : ''}
<p><strong>Auth:</strong> ${authText(p)}</p>
${p.fastPath ? `<p class="note">${prose(p.fastPath)}</p>` : ''}
<details><summary>Input (JSON Schema)</summary>${code(json(p.input), `${p.path} input schema`)}</details>
<details><summary>${p.type === 'subscription' ? 'Each event (JSON Schema)' : 'Output (JSON Schema)'}</summary>${code(json(p.output), `${p.path} output schema`)}</details>
<p><strong>Errors:</strong></p><ul class="errors">${errors}</ul>
${
  p.examples
    ? `<details><summary>TypeScript</summary>${code(p.examples.typescript, `${p.path} TypeScript example`)}</details>
<details><summary>${p.type === 'subscription' ? 'WebSocket' : 'curl'}</summary>${code(p.examples.curl, `${p.path} curl example`)}</details>`
    : ''
}
</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--code:#f6f8fa;--accent:#0b6bcb}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--code:#151b23;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:58rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 .25rem;overflow-wrap:anywhere}
a{color:var(--accent)}
code{font:.9em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow-x:auto;max-height:32rem}
pre code{overflow-wrap:normal;white-space:pre}
.proc{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.tag{font-size:.75rem;font-weight:600;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;color:var(--muted);white-space:nowrap}
.note{border-inline-start:3px solid var(--accent);padding-inline-start:.75rem;color:var(--muted)}
details{margin:.35rem 0}summary{cursor:pointer;padding:.6rem 0}
.errors{margin:.25rem 0;padding-inline-start:1.25rem}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
th,td{text-align:start;border-bottom:1px solid var(--line);padding:.35rem .5rem;vertical-align:top}
nav ul{padding-inline-start:1.25rem;columns:14rem}
`;

export function renderDocsHtml(ref: Reference): string {
  const publicProcs = ref.procedures.filter((p) => p.public);
  const others = ref.procedures.filter((p) => !p.public);
  const scopes = ref.scopes
    .map(
      (s) =>
        `<tr><td><code>${esc(s.scope)}</code></td><td>${s.procedures.map((p) => `<a href="#${anchor(p)}"><code>${esc(p)}</code></a>`).join(', ')}</td></tr>`,
    )
    .join('');
  const anyKey = publicProcs.filter((p) => p.auth.apiKey && p.auth.apiKey.scope === null);
  const errors = ref.errors.codes
    .map(
      (e) =>
        `<tr><td><code>${e.appCode}</code></td><td><code>${e.trpcCode}</code></td><td>${e.httpStatus}</td><td>${e.jsonRpcCode}</td></tr>`,
    )
    .join('');
  const events = ref.webhooks.events
    .map(
      (e) =>
        `<section class="proc" id="e-${anchor(e.type)}"><h3><code>${esc(e.type)}</code></h3><p>${prose(e.description)}</p>
<details><summary>data (JSON Schema)</summary>${code(json(e.data), `${e.type} data schema`)}</details></section>`,
    )
    .join('\n');
  const headers = ref.webhooks.headers
    .map((h) => `<tr><td><code>${esc(h.name)}</code></td><td>${prose(h.description)}</td></tr>`)
    .join('');
  const otherRows = others
    .map((p) => {
      const s = p.auth.session;
      const who = s === 'anyone' ? 'anyone' : s === 'signed-in' ? 'signed in' : s.roles.join(', ');
      return `<tr><td><code>${esc(p.path)}</code></td><td>${p.type}</td><td>${esc(who)}</td></tr>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Fundi's API reference: procedures, JSON Schemas, errors, webhooks.">
<title>${esc(ref.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(ref.title)}</h1>
<p>Generated from the server's router and its zod schemas. Machine-readable: <a href="/docs/reference.json">reference.json</a> (this page's data, JSON Schema per procedure) and <a href="/docs/openapi.json">openapi.json</a> (OpenAPI 3.1 for the HTTP queries and mutations).</p>
<nav aria-label="Contents"><ul>
<li><a href="#start">Getting started</a></li><li><a href="#scopes">Scopes</a></li><li><a href="#errors">Errors</a></li>
<li><a href="#procedures">Procedures</a></li><li><a href="#webhooks">Webhooks</a></li><li><a href="#internal">Other procedures</a></li>
</ul></nav>

<h2 id="start">Getting started</h2>
<p>An organisation's owner or developer creates an API key in the Fundi app (<em>Home → API keys and webhooks</em>). Keys are <code>fk_live_…</code>, or <code>fk_test_…</code> for test mode.</p>
<p>${prose(ref.transport.auth)}</p>
<p>${prose(ref.transport.http)}</p>
<p>${prose(ref.transport.websocket)}</p>
<p>${prose(ref.transport.wireFormat)}</p>
<h3>The client package</h3>
<p>The typed client <code>${esc(ref.client.package)}</code> is built from the Fundi repository, not published on a registry: <code>npm run build:client-sdk</code> writes the tarball, and your project installs it from the file. It depends only on <code>@trpc/client</code>, <code>@trpc/server</code> and <code>zod</code>.</p>
${code(ref.client.install, 'Building and installing the client package')}
${code(ref.client.usage, 'Using the client package')}
<h3>Plain @trpc/client</h3>
<p>Without the package: <code>createTRPCClient</code> with <code>httpBatchLink</code> (the key as <code>Authorization: Bearer</code>) for queries and mutations, and <code>wsLink</code> (the key in <code>connectionParams</code>) for subscriptions. Use the server's version of <code>@trpc/client</code> (11.x).</p>
${code(ref.client.plainTrpc, 'A plain @trpc/client setup')}

<h2 id="scopes">Scopes</h2>
<table><thead><tr><th>Scope</th><th>Procedures</th></tr></thead><tbody>
<tr><td><em>any key</em></td><td>${anyKey.map((p) => `<a href="#${anchor(p.path)}"><code>${esc(p.path)}</code></a>`).join(', ')}</td></tr>
${scopes}</tbody></table>
<p>A procedure missing from this table is FORBIDDEN to every key.</p>

<h2 id="errors">Errors</h2>
<p>${prose(ref.errors.shape)}</p>
<table><thead><tr><th>appCode</th><th>tRPC code</th><th>HTTP</th><th>JSON-RPC</th></tr></thead><tbody>${errors}</tbody></table>

<h2 id="procedures">Procedures</h2>
<nav aria-label="Procedures"><ul>${publicProcs.map((p) => `<li><a href="#${anchor(p.path)}"><code>${esc(p.path)}</code></a></li>`).join('')}</ul></nav>
${publicProcs.map(procedureSection).join('\n')}

<h2 id="webhooks">Webhooks</h2>
<p>${prose(ref.webhooks.delivery)}</p>
<p><strong>Signature:</strong> ${prose(ref.webhooks.signature.scheme)} Refuse a timestamp more than ${ref.webhooks.signature.toleranceSeconds} seconds from your clock.</p>
<table><thead><tr><th>Header</th><th>Meaning</th></tr></thead><tbody>${headers}</tbody></table>
<details><summary>Verifying a signature in Node</summary>${code(ref.webhooks.signature.verify, 'Signature verification in Node')}</details>
<details><summary>The body (JSON Schema)</summary>${code(json(ref.webhooks.envelope), 'Webhook body schema')}</details>
${events}

<h2 id="internal">Other procedures</h2>
<p>Used by Fundi's own apps with a person's session; API keys are refused. Their input and output schemas are in <a href="/docs/reference.json">reference.json</a>.</p>
<table><thead><tr><th>Procedure</th><th>Type</th><th>Who</th></tr></thead><tbody>${otherRows}</tbody></table>
</main>
</body>
</html>
`;
}
