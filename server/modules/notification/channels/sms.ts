import { log } from '../../../lib/log';

export type SmsConfig = {
  provider: 'log' | 'termii' | 'twilio' | 'auto';
  termii: { baseUrl: string; apiKey: string | undefined; senderId: string };
  twilio: {
    baseUrl: string;
    accountSid: string | undefined;
    authToken: string | undefined;
    from: string | undefined;
  };
};

export type SmsSender = { send(to: string, text: string): Promise<void> };

class SmsError extends Error {}

/**
 * SMS through an adapter: Termii for Nigerian numbers (+234), Twilio elsewhere (`auto`), or one of them
 * for all, or `log` (the default): the message goes to the server's log, for development.
 */
export function createSmsSender(config: SmsConfig): SmsSender {
  async function termii(to: string, text: string) {
    if (!config.termii.apiKey) throw new SmsError('TERMII_API_KEY is not set');
    const res = await fetch(`${config.termii.baseUrl.replace(/\/$/, '')}/api/sms/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: config.termii.apiKey,
        to: to.replace(/^\+/, ''),
        from: config.termii.senderId,
        sms: text,
        type: 'plain',
        channel: 'generic',
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new SmsError(`Termii answered ${res.status}`);
    await res.arrayBuffer();
  }

  async function twilio(to: string, text: string) {
    const { accountSid, authToken, from } = config.twilio;
    if (!accountSid || !authToken || !from) throw new SmsError('TWILIO_* is not set');
    const res = await fetch(
      `${config.twilio.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: to, From: from, Body: text }).toString(),
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (!res.ok) throw new SmsError(`Twilio answered ${res.status}`);
    await res.arrayBuffer();
  }

  return {
    async send(to, text) {
      switch (config.provider) {
        case 'log':
          // The number's last digits only: logs leave the machine (server/lib/log.ts).
          log.info('sms (SMS_PROVIDER=log)', { to: `…${to.slice(-4)}`, text });
          return;
        case 'termii':
          return termii(to, text);
        case 'twilio':
          return twilio(to, text);
        case 'auto':
          return to.startsWith('+234') ? termii(to, text) : twilio(to, text);
      }
    },
  };
}
