import type { NotificationData, NotificationKind } from '../../contracts/notification';

export type Locale = 'en' | 'ar';
export type Recipient = { locale: Locale; timeZone: string; name: string };
export type Rendered = { title: string; body: string };

const str = (v: unknown, fallback = '') => (typeof v === 'string' && v ? v : fallback);

/**
 * Minor units in the recipient's language (Arabic digits for Arabic, as the PWA shows them), in the
 * currency the event names (its market's). Without one the amount stands alone: no market's currency is
 * assumed.
 */
export function money(amount: unknown, currency: unknown, locale: Locale): string {
  const cur = str(currency);
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) return '';
  const tag = locale === 'ar' ? 'ar-EG' : 'en-NG';
  if (!/^[A-Z]{3}$/.test(cur)) {
    return new Intl.NumberFormat(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n / 100);
  }
  return new Intl.NumberFormat(tag, { style: 'currency', currency: cur }).format(n / 100);
}

/** A time of day in the recipient's own time zone. */
export function timeOf(iso: unknown, r: Recipient): string {
  const d = new Date(str(iso));
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(r.locale === 'ar' ? 'ar-EG' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: r.timeZone,
  }).format(d);
}

type Template = (d: NotificationData, r: Recipient) => Rendered;

const OUTCOME_EN: Record<string, string> = {
  no_action: 'no action was taken',
  partial_refund: 'part of the payment is refunded',
  full_refund: 'the payment is refunded in full',
  technician_penalty: 'the technician received a penalty',
  customer_warning: 'the customer received a warning',
};
const OUTCOME_AR: Record<string, string> = {
  no_action: 'لم يُتخذ أي إجراء',
  partial_refund: 'يُرد جزء من المبلغ المدفوع',
  full_refund: 'يُرد المبلغ المدفوع كاملًا',
  technician_penalty: 'فُرض جزاء على الفنّي',
  customer_warning: 'وُجّه إنذار إلى العميل',
};
/** Why a webhook endpoint was switched off (its reason code: server/contracts/developer.ts). */
const WEBHOOK_REASON_EN: Record<string, (status: string) => string> = {
  http_error: (s) => `it answered with an error (HTTP ${s})`,
  redirect: (s) => `it answered with a redirect (HTTP ${s}), and redirects are not followed`,
  unreachable: () => 'it did not answer (timeout, refused connection or unknown host)',
  unsafe_target: () => 'its address is private or reserved',
};
const WEBHOOK_REASON_AR: Record<string, (status: string) => string> = {
  http_error: (s) => `ردّ بخطأ (HTTP ${s})`,
  redirect: (s) => `ردّ بإعادة توجيه (HTTP ${s})، ولا نتبع إعادة التوجيه`,
  unreachable: () => 'لم يردّ (انتهت المهلة أو رُفض الاتصال أو العنوان غير معروف)',
  unsafe_target: () => 'عنوانه خاص أو محجوز',
};

/** An HTTP status (a number in the data), or `fallback` when there was no answer. */
const statusOf = (d: NotificationData, fallback: string) =>
  typeof d.status === 'number' ? String(d.status) : str(d.status, fallback);

/** The admin's note to both parties, after the outcome. */
const withNote = (d: NotificationData, sep: string) => (d.note ? `${sep}${str(d.note)}` : '');

const en: Record<NotificationKind, Template> = {
  offer: (d, r) => ({
    title: 'New job offer',
    body: `${str(d.service, 'A job')} ${d.distanceMeters ? `${(Number(d.distanceMeters) / 1000).toFixed(1)} km away` : 'nearby'}${d.price ? ` · ${money(d.price, d.currency, r.locale)}` : ''}. Answer before ${timeOf(d.expiresAt, r)}.`,
  }),
  assigned: (d) => ({
    title: 'Technician assigned',
    body: `${str(d.technicianName, 'A technician')} accepted your ${str(d.service, 'booking')}.`,
  }),
  en_route: (d) => ({
    title: 'On the way',
    body: `${str(d.technicianName, 'Your technician')} is on the way.`,
  }),
  arriving: (d) => ({
    title: 'Almost there',
    body: `${str(d.technicianName, 'Your technician')} is less than 2 minutes away.`,
  }),
  arrived: (d) => ({
    title: 'Your technician has arrived',
    body: `${str(d.technicianName, 'Your technician')} is at ${str(d.address, 'your address')}.`,
  }),
  completed: (d) => ({
    title: 'Job completed',
    body: `Your ${str(d.service, 'job')} is done. Thank you for using Fundi.`,
  }),
  cancelled: (d) => ({
    title: 'Booking cancelled',
    body: `The ${str(d.service, 'booking')} was cancelled${d.reason ? `: ${str(d.reason)}` : '.'}`,
  }),
  unfulfilled: (d) => ({
    title: 'No technician available',
    body: `Nobody could take your ${str(d.service, 'booking')} this time. Please try again.`,
  }),
  chat: (d) => ({
    title: `Message from ${str(d.senderName, 'Fundi')}`,
    body: str(d.preview, 'You have a new message.'),
  }),
  verification: (d) => ({
    title: d.status === 'verified' ? 'You are verified' : 'Verification update',
    body:
      d.status === 'verified'
        ? 'You can now go online and receive job offers.'
        : `Your verification is ${str(d.status)}${d.note ? `: ${str(d.note)}` : '.'}`,
  }),
  receipt: (d, r) => ({
    title: 'Payment received',
    body: `We received ${money(d.amount, d.currency, r.locale)} for your ${str(d.service, 'booking')} at ${timeOf(d.at, r)}.`,
  }),
  refund: (d, r) => ({
    title: 'Refund issued',
    body: `${money(d.amount, d.currency, r.locale)} was refunded for your ${str(d.service, 'booking')}.`,
  }),
  review_request: (d) => ({
    title: 'How did it go?',
    body: `Rate ${str(d.technicianName, 'your technician')} for your ${str(d.service, 'job')}.`,
  }),
  dispute_outcome: (d, r) => ({
    title: 'The problem you raised was decided',
    body: `${str(d.service, 'Booking')}: ${OUTCOME_EN[str(d.outcome)] ?? 'a decision was made'}${
      d.refundAmount ? ` (${money(d.refundAmount, d.currency, r.locale)})` : ''
    }.${withNote(d, ' ')}`,
  }),
  webhook_disabled: (d) => ({
    title: 'Webhook endpoint switched off',
    body: `${str(d.url, 'An endpoint')} of ${str(d.orgName, 'your organisation')} failed for 3 days without a single success, so it no longer receives events: ${(WEBHOOK_REASON_EN[str(d.reason)] ?? WEBHOOK_REASON_EN.unreachable!)(statusOf(d, '?'))}. Fix the receiver, then send a test from the developer page: a success switches it back on.`,
  }),
};

const ar: Record<NotificationKind, Template> = {
  offer: (d, r) => ({
    title: 'عرض عمل جديد',
    body: `${str(d.service, 'مهمة')} ${d.distanceMeters ? `على بعد ${(Number(d.distanceMeters) / 1000).toFixed(1)} كم` : 'بالقرب منك'}${d.price ? ` · ${money(d.price, d.currency, r.locale)}` : ''}. أجب قبل ${timeOf(d.expiresAt, r)}.`,
  }),
  assigned: (d) => ({
    title: 'تم تعيين فنّي',
    body: `قبل ${str(d.technicianName, 'فنّي')} طلبك (${str(d.service, 'الحجز')}).`,
  }),
  en_route: (d) => ({ title: 'في الطريق', body: `${str(d.technicianName, 'الفنّي')} في الطريق إليك.` }),
  arriving: (d) => ({
    title: 'اقترب الوصول',
    body: `${str(d.technicianName, 'الفنّي')} على بعد أقل من دقيقتين.`,
  }),
  arrived: (d) => ({
    title: 'وصل الفنّي',
    body: `${str(d.technicianName, 'الفنّي')} عند ${str(d.address, 'عنوانك')}.`,
  }),
  completed: (d) => ({
    title: 'اكتمل العمل',
    body: `تم إنجاز ${str(d.service, 'العمل')}. شكرًا لاستخدامك فندي.`,
  }),
  cancelled: (d) => ({
    title: 'أُلغي الحجز',
    body: `أُلغي حجز ${str(d.service, 'الخدمة')}${d.reason ? `: ${str(d.reason)}` : '.'}`,
  }),
  unfulfilled: (d) => ({
    title: 'لا يوجد فنّي متاح',
    body: `لم يتمكن أحد من قبول طلب ${str(d.service, 'الخدمة')} هذه المرة. حاول مرة أخرى.`,
  }),
  chat: (d) => ({
    title: `رسالة من ${str(d.senderName, 'فندي')}`,
    body: str(d.preview, 'لديك رسالة جديدة.'),
  }),
  verification: (d) => ({
    title: d.status === 'verified' ? 'تم توثيق حسابك' : 'تحديث التوثيق',
    body:
      d.status === 'verified'
        ? 'يمكنك الآن أن تصبح متاحًا وتتلقى عروض العمل.'
        : `حالة التوثيق: ${str(d.status)}${d.note ? ` — ${str(d.note)}` : '.'}`,
  }),
  receipt: (d, r) => ({
    title: 'تم استلام الدفع',
    body: `استلمنا ${money(d.amount, d.currency, r.locale)} مقابل ${str(d.service, 'الحجز')} الساعة ${timeOf(d.at, r)}.`,
  }),
  refund: (d, r) => ({
    title: 'تم رد المبلغ',
    body: `تم رد ${money(d.amount, d.currency, r.locale)} عن ${str(d.service, 'الحجز')}.`,
  }),
  review_request: (d) => ({
    title: 'كيف كانت الخدمة؟',
    body: `قيّم ${str(d.technicianName, 'الفنّي')} على ${str(d.service, 'العمل')}.`,
  }),
  dispute_outcome: (d, r) => ({
    title: 'صدر قرار في المشكلة المبلَّغ عنها',
    body: `${str(d.service, 'الحجز')}: ${OUTCOME_AR[str(d.outcome)] ?? 'صدر قرار'}${
      d.refundAmount ? ` (${money(d.refundAmount, d.currency, r.locale)})` : ''
    }.${withNote(d, ' ')}`,
  }),
  webhook_disabled: (d) => ({
    title: 'أُوقف عنوان الويب هوك',
    body: `فشل ${str(d.url, 'عنوان')} التابع لـ${str(d.orgName, 'مؤسستك')} طوال 3 أيام دون نجاح واحد، فلم يعد يتلقى الأحداث: ${(WEBHOOK_REASON_AR[str(d.reason)] ?? WEBHOOK_REASON_AR.unreachable!)(statusOf(d, '؟'))}. أصلح المستقبِل ثم أرسل اختبارًا من صفحة المطوّرين: أي نجاح يعيد تشغيله.`,
  }),
};

export function render(kind: NotificationKind, data: NotificationData, r: Recipient): Rendered {
  return (r.locale === 'ar' ? ar : en)[kind](data, r);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An e-mail: the same words as HTML (right-to-left for Arabic) and as plain text, with a link. */
export function renderEmail(
  kind: NotificationKind,
  data: NotificationData,
  r: Recipient,
  link: string,
): { subject: string; text: string; html: string } {
  const { title, body } = render(kind, data, r);
  const greeting = r.locale === 'ar' ? `مرحبًا ${r.name}،` : `Hello ${r.name},`;
  const open = r.locale === 'ar' ? 'افتح فندي' : 'Open Fundi';
  const dir = r.locale === 'ar' ? 'rtl' : 'ltr';
  return {
    subject: `Fundi: ${title}`,
    text: `${greeting}\n\n${body}\n\n${open}: ${link}\n`,
    html: `<!doctype html><html lang="${r.locale}" dir="${dir}"><head><meta charset="utf-8"><meta name="format-detection" content="telephone=no"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif"><h1 style="font-size:20px">${escapeHtml(title)}</h1><p>${escapeHtml(greeting)}</p><p>${escapeHtml(body)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(open)}</a></p></body></html>`,
  };
}
