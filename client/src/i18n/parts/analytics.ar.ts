// UI strings of the analytics screens: English defines the keys, Arabic must provide every one of them.
// Arabic: kept apart from the English so each language's dictionary chunk holds only its own strings.
import type { analyticsEn } from './analytics.en';

export const analyticsAr: Record<keyof typeof analyticsEn, string> = {
  'analytics.link': 'التحليلات',
  'analytics.linkHint': 'الحجوزات والتنفيذ والأموال والطلب في رسوم بيانية.',
  'analytics.title': 'التحليلات',
  'analytics.filters': 'عوامل التصفية',
  'analytics.market': 'السوق',
  'analytics.range': 'الفترة',
  'analytics.range.7': 'آخر ٧ أيام',
  'analytics.range.30': 'آخر ٣٠ يومًا',
  'analytics.range.90': 'آخر ٩٠ يومًا',
  'analytics.range.365': 'آخر ١٢ شهرًا',
  'analytics.rangeNote': '{from} – {to}، الأوقات بتوقيت {zone}',
  'analytics.failed': 'تعذّر تحميل الأرقام.',
  'analytics.retry': 'أعد المحاولة',
  'analytics.none': 'لا توجد بيانات في هذه الفترة.',
  'analytics.perHour.title': 'الحجوزات في الساعة (آخر ٧ أيام)',
  'analytics.perHour.summary':
    '{total, plural, zero {# حجز} one {حجز واحد} two {حجزان} few {# حجوزات} many {# حجزًا} other {# حجز}} في آخر ٧ أيام من الفترة. أكثر ساعة ازدحامًا: {peak, plural, zero {# حجز} one {حجز واحد} two {حجزان} few {# حجوزات} many {# حجزًا} other {# حجز}} في {when}.',
  'analytics.perHour.series': 'الحجوزات',
  'analytics.fulfil.title': 'تنفيذ الطلبات',
  'analytics.fulfil.rate': 'نسبة التنفيذ',
  'analytics.fulfil.summary':
    '{requested, plural, zero {# طلب} one {طلب واحد} two {طلبان} few {# طلبات} many {# طلبًا} other {# طلب}}: {assigned} وجدت فنيًا، و{unfulfilled} لم تُنفَّذ، و{cancelled} أُلغيت قبل تعيين فني، و{searching} ما زالت تبحث. نسبة التنفيذ {rate}.',
  'analytics.fulfil.assigned': 'تم التعيين',
  'analytics.fulfil.unfulfilled': 'لم تُنفَّذ',
  'analytics.fulfil.cancelled': 'أُلغيت مبكرًا',
  'analytics.fulfil.searching': 'جارٍ البحث',
  'analytics.fulfil.reasons': 'أسباب عدم تنفيذ الحجوزات',
  'analytics.fulfil.noReason': '(بلا سبب)',
  'analytics.tta.title': 'الوقت حتى التعيين',
  'analytics.tta.p50': 'الوسيط (p50)',
  'analytics.tta.p90': 'المئين التسعون (p90)',
  'analytics.tta.summary':
    'من {count, plural, zero {# حجز فوري تم تعيينه} one {حجز فوري واحد تم تعيينه} two {حجزين فوريين تم تعيينهما} few {# حجوزات فورية تم تعيينها} many {# حجزًا فوريًا تم تعيينه} other {# حجز فوري تم تعيينه}}: النصف خلال {p50}، و٩٠٪ خلال {p90}.',
  'analytics.offers.title': 'قبول العروض',
  'analytics.offers.rate': 'نسبة القبول',
  'analytics.offers.summary':
    '{total, plural, zero {# عرض} one {عرض واحد} two {عرضان} few {# عروض} many {# عرضًا} other {# عرض}}: {accepted} مقبولة، و{declined} مرفوضة، و{expired} انتهت مهلتها، و{withdrawn} سُحبت، و{open} مفتوحة. نسبة القبول {rate}.',
  'analytics.offers.accepted': 'مقبولة',
  'analytics.offers.declined': 'مرفوضة',
  'analytics.offers.expired': 'انتهت مهلتها',
  'analytics.offers.withdrawn': 'مسحوبة',
  'analytics.cancel.title': 'الإلغاءات',
  'analytics.cancel.summary':
    '{total, plural, zero {# إلغاء} one {إلغاء واحد} two {إلغاءان} few {# إلغاءات} many {# إلغاءً} other {# إلغاء}}: {sides}.',
  'analytics.cancel.side.customer': 'من العملاء',
  'analytics.cancel.side.technician': 'من الفنيين',
  'analytics.cancel.side.admin': 'من المشرفين',
  'analytics.cancel.side.system': 'من النظام',
  'analytics.cancel.reasons': 'أكثر الأسباب',
  'analytics.money.title': 'الإيرادات والعمولة والإكراميات يوميًا',
  'analytics.money.summary':
    'الإيرادات {revenue}، والعمولة {commission}، والإكراميات {tips}، والمبالغ المستردة {refunds} خلال الفترة.',
  'analytics.money.revenue': 'الإيرادات',
  'analytics.money.commission': 'العمولة',
  'analytics.money.tips': 'الإكراميات',
  'analytics.supply.title': 'الفنيون المتصلون مقابل الطلب (آخر ٧ أيام)',
  'analytics.supply.summary':
    'في المتوسط {online} فنيًا متصلًا و{available} متاحًا في الساعة، مقابل {requests} حجزًا في الساعة.',
  'analytics.supply.requests': 'الحجوزات',
  'analytics.supply.online': 'الفنيون المتصلون',
  'analytics.supply.available': 'متاحون لعمل',
  'analytics.ratings.title': 'التقييمات',
  'analytics.ratings.summary':
    '{count, plural, zero {# تقييم} one {تقييم واحد} two {تقييمان} few {# تقييمات} many {# تقييمًا} other {# تقييم}}، بمتوسط {average} نجوم. {breakdown}.',
  'analytics.ratings.stars':
    '{n, plural, zero {# نجمة} one {نجمة واحدة} two {نجمتان} few {# نجوم} many {# نجمة} other {# نجمة}}: {count}',
  'analytics.ratings.axis': '{n}★',
  'analytics.heat.title': 'أين يتركز الطلب',
  'analytics.heat.map': 'خريطة طلبات الحجز لكل مربع بطول كيلومتر تقريبًا',
  'analytics.heat.summary':
    '{total, plural, zero {# طلب} one {طلب واحد} two {طلبان} few {# طلبات} many {# طلبًا} other {# طلب}} في {cells, plural, zero {# مربع} one {مربع واحد} two {مربعين} few {# مربعات} many {# مربعًا} other {# مربع}} بطول كيلومتر تقريبًا. الأكثر ازدحامًا: {top, plural, zero {# طلب} one {طلب واحد} two {طلبان} few {# طلبات} many {# طلبًا} other {# طلب}}.',
  'analytics.live.toggle': 'خريطة الطلب الحرارية',
  'analytics.live.period': 'الطلبات لكل مربع بطول كيلومتر تقريبًا، آخر ٧ أيام',
  'analytics.live.fewer': 'أقل',
  'analytics.live.more': 'أكثر',
  'analytics.live.summary':
    'آخر ٧ أيام: {total, plural, zero {# طلب} one {طلب واحد} two {طلبان} few {# طلبات} many {# طلبًا} other {# طلب}} في {cells, plural, zero {# مربع} one {مربع واحد} two {مربعين} few {# مربعات} many {# مربعًا} other {# مربع}} بطول كيلومتر تقريبًا؛ الأكثر ازدحامًا: {top}.',
  'analytics.live.none': 'لا طلبات في آخر ٧ أيام.',
};
