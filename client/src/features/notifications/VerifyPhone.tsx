import { useState } from 'react';
import { useT } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { navigate, useSearchParams } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useChangeSession } from '../session/SessionProvider';
import { safeNext } from './PhoneNeeded';
import './notifications.css';

type Step = { phase: 'number' } | { phase: 'code'; phone: string };

function errorKey(e: unknown) {
  const p = toApiProblem(e);
  const reason = p.details?.reason;
  if (reason === 'wrong') return 'phone.error.wrong' as const;
  if (reason === 'expired') return 'phone.error.expired' as const;
  if (reason === 'tries') return 'phone.error.tries' as const;
  if (p.code === 'RATE_LIMITED') return 'phone.error.limited' as const;
  if (p.code === 'VALIDATION') return 'phone.error.invalid' as const;
  return 'phone.error.failed' as const;
}

/**
 * Phone verification by SMS code (issue 11 §3), as a component the onboarding checklist can embed
 * (`onVerified` called once the number is verified) and as the `/verify-phone` screen.
 */
export function VerifyPhone({ onVerified }: { onVerified?: (phone: string) => void }) {
  const t = useT();
  const utils = trpc.useUtils();
  const changeSession = useChangeSession();
  const status = trpc.auth.phoneStatus.useQuery();
  const [step, setStep] = useState<Step>({ phase: 'number' });
  const [error, setError] = useState<string | null>(null);
  const request = trpc.auth.requestPhoneCode.useMutation();
  const verify = trpc.auth.verifyPhone.useMutation();

  const send = async (phone: string) => {
    setError(null);
    try {
      await request.mutateAsync({ phone });
      setStep({ phase: 'code', phone: phone.replace(/[\s().-]/g, '') });
    } catch (e) {
      setError(t(errorKey(e)));
    }
  };

  if (status.data?.phone && step.phase === 'number')
    return (
      <div className="phone-form" data-testid="phone-verified">
        <p>{t('phone.verified', { phone: status.data.phone })}</p>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => void utils.auth.phoneStatus.setData(undefined, { phone: null, verifiedAt: null })}
        >
          {t('phone.change')}
        </button>
      </div>
    );

  return step.phase === 'number' ? (
    <form
      className="phone-form"
      data-testid="phone-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send(String(new FormData(e.currentTarget).get('phone') ?? ''));
      }}
    >
      <label>
        {t('phone.number')}
        <input
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required
          dir="ltr"
          placeholder="+234…"
        />
        <small className="muted">{t('phone.numberHint')}</small>
      </label>
      <button type="submit" className="button" disabled={request.isPending}>
        {t('phone.send')}
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  ) : (
    <form
      className="phone-form"
      data-testid="code-form"
      onSubmit={(e) => {
        e.preventDefault();
        const code = String(new FormData(e.currentTarget).get('code') ?? '').trim();
        setError(null);
        verify
          .mutateAsync({ phone: step.phone, code })
          .then(async (r) => {
            await utils.auth.phoneStatus.invalidate();
            const me = await utils.auth.me.fetch();
            if (me) changeSession(me);
            setStep({ phase: 'number' });
            onVerified?.(r.phone);
          })
          .catch((err: unknown) => setError(t(errorKey(err))));
      }}
    >
      <p role="status">{t('phone.sent', { phone: step.phone })}</p>
      <label>
        {t('phone.code')}
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          dir="ltr"
        />
      </label>
      <button type="submit" className="button" disabled={verify.isPending}>
        {t('phone.verify')}
      </button>
      <button type="button" className="button button-ghost" onClick={() => void send(step.phone)}>
        {t('phone.resend')}
      </button>
      <button type="button" className="button button-ghost" onClick={() => setStep({ phase: 'number' })}>
        {t('phone.change')}
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

export function VerifyPhoneScreen() {
  const t = useT();
  // Back where the need came up (going online, a booking), with what was typed there kept in the URL.
  const next = safeNext(useSearchParams().get('next')) ?? '/home';
  return (
    <main className="screen" data-testid="verify-phone-screen">
      <h1>{t('phone.title')}</h1>
      <p className="muted">{t('phone.intro')}</p>
      <section className="card">
        <VerifyPhone onVerified={() => navigate(next)} />
      </section>
    </main>
  );
}
