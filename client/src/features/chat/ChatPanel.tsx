import './chat.css';
import {
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { Booking } from '../../../../server/contracts/booking';
import type { CHAT_BODY_MAX as SERVER_BODY_MAX } from '../../../../server/contracts/chat';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';
import { problemKey } from '../../lib/apiErrors';
import { useOnline } from '../../lib/useOnline';
import { type ChatItem, type Tick, useChat } from './useChat';

const QUICK_REPLIES: Record<'customer' | 'technician', MessageKey[]> = {
  technician: ['chat.quick.outside', 'chat.quick.fiveMinutes', 'chat.quick.onMyWay'],
  customer: ['chat.quick.comingOut', 'chat.quick.fiveMinutes', 'chat.quick.thanks'],
};

/** The server's limit, checked against it by type (a value import would bring zod into this chunk). */
const CHAT_BODY_MAX: typeof SERVER_BODY_MAX = 1000;

/** Near the bottom this close (px), new messages scroll into view by themselves. */
const STICK_PX = 80;

/**
 * The booking's conversation on its screen: the customer and the assigned technician write to each other;
 * an admin handling a dispute reads it (only after asking to: each read is audited).
 */
export function ChatPanel({ booking, user }: { booking: Booking; user: PublicUser }) {
  const { t } = useI18n();
  const [adminOpened, setAdminOpened] = useState(false);
  if (user.role === 'admin') {
    if (booking.status !== 'disputed') return null;
    if (!adminOpened)
      return (
        <section className="card chat" aria-labelledby="chat-title" data-testid="chat">
          <h2 id="chat-title">{t('chat.title')}</h2>
          <p className="muted small">{t('chat.admin.note')}</p>
          <div className="actions">
            <button type="button" className="button button-secondary" onClick={() => setAdminOpened(true)}>
              {t('chat.admin.open')}
            </button>
          </div>
        </section>
      );
  } else if (booking.customer.id !== user.id && booking.technician?.id !== user.id) return null;
  else if (!booking.technician) return null;
  return <Conversation booking={booking} user={user} />;
}

function Conversation({ booking, user }: { booking: Booking; user: PublicUser }) {
  const { t, locale } = useI18n();
  const chat = useChat(booking.id, user.id);
  const online = useOnline();
  const [open, setOpen] = useState(true);
  const bodyId = useId();
  const role =
    booking.customer.id === user.id ? 'customer' : user.role === 'technician' ? 'technician' : null;
  const partner =
    role === 'customer' ? booking.technician?.name : role === 'technician' ? booking.customer.name : null;
  const canSend = Boolean(chat.state?.canSend) && role !== null;
  const clock = useMemo(
    () => new Intl.DateTimeFormat(INTL_LOCALES[locale], { timeStyle: 'short' }),
    [locale],
  );
  const dateTime = useMemo(
    () => new Intl.DateTimeFormat(INTL_LOCALES[locale], { dateStyle: 'medium', timeStyle: 'short' }),
    [locale],
  );

  // Autoscroll: follow new messages while the reader is at the bottom (or just wrote one).
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastKey = chat.items.at(-1)?.key;
  const lastMine = chat.items.at(-1)?.mine;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !lastKey) return;
    if (atBottom.current || lastMine) el.scrollTop = el.scrollHeight;
  }, [lastKey, lastMine]);
  // …and stay there when the content reflows (another language, masked copies, the panel reopened).
  useEffect(() => {
    const el = scroller.current;
    const list = el?.firstElementChild;
    if (!el || !list || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    observer.observe(list);
    return () => observer.disconnect();
  }, []);

  // Read: the newest messages are on screen, the panel is open and the app is in front.
  const end = useRef<HTMLLIElement>(null);
  const [endVisible, setEndVisible] = useState(false);
  useEffect(() => {
    const el = end.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    // The end marker sits a few pixels under the newest message: with the message itself fully on screen
    // (its bottom at the viewport's edge) the marker is just below it, so allow a small margin.
    const observer = new IntersectionObserver(([entry]) => setEndVisible(Boolean(entry?.isIntersecting)), {
      rootMargin: '0px 0px 48px 0px',
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const { markAllRead } = chat;
  useEffect(() => {
    if (!open || !endVisible) return;
    const maybe = () => {
      if (document.visibilityState === 'visible') markAllRead();
    };
    maybe();
    document.addEventListener('visibilitychange', maybe);
    return () => document.removeEventListener('visibilitychange', maybe);
  }, [open, endVisible, markAllRead]);

  const masked = chat.items.some((i) => i.masked);
  const title = partner ? t('chat.titleWith', { name: partner }) : t('chat.title');

  return (
    <section className="card chat" aria-labelledby="chat-title" data-testid="chat">
      <div className="chat-heading">
        <h2 id="chat-title">
          <bdi>{title}</bdi>
        </h2>
        {chat.unread > 0 && (
          <span className="chat-badge" data-testid="chat-unread">
            <span aria-hidden="true">{chat.unread}</span>
            <span className="visually-hidden">{t('chat.unread', { count: chat.unread })}</span>
          </span>
        )}
        <button
          type="button"
          className="button button-ghost chat-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((v) => !v)}
        >
          {open ? t('chat.hide') : t('chat.show')}
        </button>
      </div>

      <div id={bodyId} className="chat-body" hidden={!open}>
        {chat.state?.as === 'admin' && <p className="muted small">{t('chat.admin.note')}</p>}
        {chat.hasOlder && (
          <button
            type="button"
            className="button button-ghost chat-older"
            onClick={() => void chat.loadOlder()}
          >
            {t('chat.older')}
          </button>
        )}
        <div
          ref={scroller}
          className="chat-log"
          role="log"
          aria-label={t('chat.title')}
          data-testid="chat-log"
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
          }}
        >
          <ol className="chat-list">
            {chat.items.length === 0 && (
              <li className="chat-empty muted">{chat.loading ? t('chat.loading') : t('chat.empty')}</li>
            )}
            {chat.items.map((item) => (
              <Bubble
                key={item.key}
                item={item}
                time={clock.format(new Date(item.createdAt))}
                showRole={chat.state?.as === 'admin'}
                onDelete={() => chat.deleteQueued(item.key)}
              />
            ))}
            <li ref={end} className="chat-end" aria-hidden="true" />
          </ol>
        </div>

        {chat.listError && !chat.items.length && (
          <p className="form-error" role="alert">
            {t(problemKey(chat.listError))}
          </p>
        )}
        {masked && <p className="muted small">{t('chat.privacy')}</p>}
        {chat.state && role !== null && !chat.state.canSend && (
          <p className="muted small" data-testid="chat-closed">
            {t('chat.closed')}
          </p>
        )}
        {canSend && chat.state?.closesAt && (
          <p className="muted small">
            {t('chat.closesAt', { time: dateTime.format(new Date(chat.state.closesAt)) })}
          </p>
        )}
        {canSend && !online && <p className="muted small">{t('chat.offline')}</p>}
        {canSend && role && <Composer role={role} onSend={chat.send} />}
      </div>
    </section>
  );
}

const TICK_KEY: Record<Tick, MessageKey> = {
  pending: 'chat.status.pending',
  sent: 'chat.status.sent',
  delivered: 'chat.status.delivered',
  read: 'chat.status.read',
  failed: 'chat.status.failed',
};

function Bubble({
  item,
  time,
  showRole,
  onDelete,
}: {
  item: ChatItem;
  time: string;
  showRole: boolean;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  const status =
    item.tick === 'failed'
      ? t('chat.status.failed', {
          // CONFLICT here means the conversation closed before the message got through.
          reason:
            item.problem === 'CONFLICT' ? t('chat.error.closed') : t(`errors.${item.problem ?? 'INTERNAL'}`),
        })
      : item.tick
        ? t(TICK_KEY[item.tick])
        : null;
  return (
    <li
      className={`chat-item ${item.mine ? 'chat-mine' : 'chat-theirs'}`}
      data-testid="chat-message"
      data-state={item.tick ?? 'received'}
      data-id={item.id ?? undefined}
    >
      <div className="chat-bubble">
        {showRole && item.senderRole && (
          <p className="chat-sender small">{t(`chat.role.${item.senderRole}`)}</p>
        )}
        {/* Plain text: React escapes it, and nothing turns links or numbers into anything clickable. */}
        <p className="chat-text" dir="auto">
          {item.body}
        </p>
        {item.masked && <p className="chat-masked small">{t('chat.masked')}</p>}
        <p className="chat-meta">
          <time dateTime={item.createdAt}>{time}</time>
          {item.tick && item.tick !== 'failed' && (
            <span className={`chat-tick chat-tick-${item.tick}`} role="img" aria-label={status ?? undefined}>
              {item.tick === 'pending' ? '🕓' : item.tick === 'sent' ? '✓' : '✓✓'}
            </span>
          )}
        </p>
      </div>
      {item.tick === 'failed' && (
        <div className="chat-failed">
          <p className="form-error small" role="alert">
            {status}
          </p>
          <button type="button" className="button button-ghost" onClick={onDelete}>
            {t('chat.delete')}
          </button>
        </div>
      )}
    </li>
  );
}

function Composer({ role, onSend }: { role: 'customer' | 'technician'; onSend: (body: string) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const inputId = useId();
  const counterId = useId();
  const length = text.trim().length;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (length === 0 || length > CHAT_BODY_MAX) return;
    onSend(text);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends on a keyboard; Shift+Enter (and phones' return key with the IME composing) adds a line.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  return (
    <form className="chat-composer" onSubmit={submit} data-testid="chat-composer">
      <ul className="chips chat-quick" aria-label={t('chat.quickReplies')}>
        {QUICK_REPLIES[role].map((key) => (
          <li key={key}>
            <button
              type="button"
              className="chip chip-button"
              data-testid="chat-quick"
              onClick={() => onSend(t(key))}
            >
              {t(key)}
            </button>
          </li>
        ))}
      </ul>
      <div className="chat-input-row">
        <label htmlFor={inputId} className="visually-hidden">
          {t('chat.inputLabel')}
        </label>
        <textarea
          id={inputId}
          name="body"
          dir="auto"
          rows={1}
          value={text}
          maxLength={CHAT_BODY_MAX}
          placeholder={t('chat.placeholder')}
          aria-describedby={length > CHAT_BODY_MAX - 100 ? counterId : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="chat-input"
        />
        <button
          type="submit"
          className="button button-primary"
          disabled={length === 0}
          data-testid="chat-send"
        >
          {t('chat.send')}
        </button>
      </div>
      {length > CHAT_BODY_MAX - 100 && (
        <p id={counterId} className="muted small" aria-live="polite">
          {t('chat.counter', { count: length, max: CHAT_BODY_MAX })}
        </p>
      )}
    </form>
  );
}
