import { json, type Res, serveStandin } from './http';

/** What the SMS stand-in received, whichever provider's API it came through. */
export type SmsMessage = { provider: 'termii' | 'twilio'; to: string; from: string; text: string };

/**
 * Termii (`POST /api/sms/send`, JSON with `api_key`) and Twilio (`POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded, HTTP Basic) in one stand-in; `GET /inbox` lists what arrived (for browser tests).
 */
export async function startSmsStandin(
  keys: { termiiApiKey: string; twilioSid: string; twilioToken: string },
  port = 0,
) {
  const messages: SmsMessage[] = [];
  let failNext = 0;
  const server = await serveStandin((req): Res => {
    if (req.method === 'GET' && req.path === '/inbox') return { status: 200, body: messages };
    if (failNext > 0) {
      failNext--;
      return { status: 503, body: { message: 'try later' } };
    }
    if (req.method === 'POST' && req.path === '/api/sms/send') {
      const b = json(req);
      if (b.api_key !== keys.termiiApiKey) return { status: 401, body: { message: 'Invalid API key' } };
      messages.push({
        provider: 'termii',
        to: `+${String(b.to)}`,
        from: String(b.from),
        text: String(b.sms),
      });
      return {
        status: 200,
        body: { code: 'ok', message_id: String(messages.length), message: 'Successfully Sent' },
      };
    }
    const tw = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.path);
    if (req.method === 'POST' && tw) {
      const expected = `Basic ${Buffer.from(`${keys.twilioSid}:${keys.twilioToken}`).toString('base64')}`;
      if (tw[1] !== keys.twilioSid || req.headers.authorization !== expected)
        return { status: 401, body: { code: 20003, message: 'Authenticate' } };
      const form = new URLSearchParams(req.body.toString('utf8'));
      messages.push({
        provider: 'twilio',
        to: form.get('To') ?? '',
        from: form.get('From') ?? '',
        text: form.get('Body') ?? '',
      });
      return { status: 201, body: { sid: `SM${messages.length}`, status: 'queued' } };
    }
    return { status: 404, body: { message: 'not found' } };
  }, port);
  return {
    url: server.url,
    messages,
    /** The next `n` sends fail with 503 (retries). */
    failNext: (n: number) => {
      failNext = n;
    },
    env: {
      SMS_PROVIDER: 'auto',
      TERMII_BASE_URL: server.url,
      TERMII_API_KEY: keys.termiiApiKey,
      TWILIO_BASE_URL: server.url,
      TWILIO_ACCOUNT_SID: keys.twilioSid,
      TWILIO_AUTH_TOKEN: keys.twilioToken,
      TWILIO_FROM: '+15005550006',
    },
    close: () => server.close(),
  };
}
