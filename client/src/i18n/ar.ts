// Arabic UI strings. Typed as `Messages`, so a missing or extra key is a compile error.
import type { Messages } from './en';

export const ar: Messages = {
  'app.name': 'فوندي',
  'app.skipToContent': 'انتقل إلى المحتوى الرئيسي',
  'app.loading': 'جارٍ التحميل…',

  'lang.label': 'اللغة',

  'connection.live': 'متصل',
  'connection.connecting': 'جارٍ الاتصال…',
  'connection.reconnecting': 'جارٍ إعادة الاتصال…',
  'connection.offline': 'غير متصل',
  'connection.lastSignal': 'آخر تحديث في {time}',

  'offline.banner': 'أنت غير متصل بالإنترنت. قد تكون بعض المعلومات قديمة.',
  'offline.unreachable': 'تعذّر الوصول إلى فوندي الآن. قد تكون بعض المعلومات قديمة.',

  'update.available': 'يتوفر تحديث',
  'update.body': 'إصدار جديد من فوندي جاهز.',
  'update.now': 'حدّث الآن',
  'update.later': 'لاحقًا',
  'update.updating': 'جارٍ التحديث…',

  'notFound.title': 'الصفحة غير موجودة',
  'notFound.body': 'لم نعثر على هذه الصفحة. ربما نُقلت.',
  'notFound.back': 'اذهب إلى صفحة البداية',

  'loadFailed.title': 'تعذّر تحميل هذه الشاشة',
  'loadFailed.body': 'تحقّق من اتصالك ثم حاول مرة أخرى.',
  'loadFailed.retry': 'حاول مرة أخرى',

  'landing.title': 'مساعدة ماهرة وقتما تحتاجها',
  'landing.pitch':
    'احجز سبّاكين وكهربائيين وفنيي تكييف موثّقين وغيرهم في لاغوس والقاهرة، وتابع كل مهمة مباشرةً.',
  'landing.signIn': 'تسجيل الدخول',
  'landing.signUp': 'إنشاء حساب',
  'landing.technicians': 'هل أنت فنّي؟ أنشئ حسابًا لتحصل على مهام بالقرب منك.',

  'signIn.title': 'تسجيل الدخول',
  'signIn.submit': 'تسجيل الدخول',
  'signIn.pending': 'جارٍ تسجيل الدخول…',
  'signIn.noAccount': 'جديد على فوندي؟',
  'signIn.toSignUp': 'إنشاء حساب',

  'signUp.title': 'أنشئ حسابك',
  'signUp.submit': 'إنشاء الحساب',
  'signUp.pending': 'جارٍ إنشاء الحساب…',
  'signUp.haveAccount': 'لديك حساب بالفعل؟',
  'signUp.toSignIn': 'تسجيل الدخول',

  'field.name': 'الاسم الكامل',
  'field.email': 'البريد الإلكتروني',
  'field.password': 'كلمة المرور',
  'field.passwordHint': '8 أحرف على الأقل.',
  'field.showPassword': 'إظهار كلمة المرور',
  'field.phone': 'رقم الهاتف (اختياري)',
  'field.phoneHint': 'أدخل رمز الدولة، مثل ‎+20 100 123 4567.',
  'field.role': 'كيف ستستخدم فوندي؟',
  'field.role.customer': 'حجز الخدمات',
  'field.role.customerHint': 'ابحث عن فنّيين بالقرب منك واحجزهم.',
  'field.role.technician': 'تقديم خدماتي',
  'field.role.technicianHint': 'احصل على مهام كفنّي موثّق.',
  'field.locale': 'اللغة المفضلة',

  'validation.name': 'أدخل اسمك.',
  'validation.email': 'أدخل بريدًا إلكترونيًا صحيحًا.',
  'validation.passwordLength': 'استخدم 8 أحرف على الأقل.',
  'validation.required': 'هذا الحقل مطلوب.',
  'validation.phone': 'أدخل الرقم مع رمز الدولة، مثل ‎+201001234567.',
  'validation.role': 'اختر طريقة استخدامك لفوندي.',

  'errors.INVALID_CREDENTIALS': 'البريد الإلكتروني أو كلمة المرور غير صحيحة.',
  'errors.EMAIL_TAKEN': 'يوجد حساب بهذا البريد الإلكتروني بالفعل. جرّب تسجيل الدخول.',
  'errors.UNAUTHENTICATED': 'يُرجى تسجيل الدخول للمتابعة.',
  'errors.FORBIDDEN_ROLE': 'لا يسمح حسابك بهذا الإجراء.',
  'errors.NOT_FOUND': 'لم نعثر على ما تبحث عنه.',
  'errors.VALIDATION': 'يُرجى مراجعة الحقول المميّزة.',
  'errors.RATE_LIMITED': 'محاولات كثيرة جدًا. انتظر دقيقة ثم حاول مرة أخرى.',
  'errors.CONFLICT': 'حدث تغيير في هذه الأثناء. حاول مرة أخرى.',
  'errors.INTERNAL': 'حدث خطأ من جهتنا. حاول مرة أخرى.',
  'errors.NETWORK': 'تعذّر الوصول إلى فوندي. تحقّق من اتصالك ثم حاول مرة أخرى.',

  'role.customer': 'عميل',
  'role.technician': 'فنّي',
  'role.admin': 'مسؤول',

  'home.greeting': 'مرحبًا، {name}',
  'home.account': 'حسابك',
  'home.memberSince': 'عضو منذ {date}',
  'home.signOut': 'تسجيل الخروج',
  'home.signingOut': 'جارٍ تسجيل الخروج…',

  'customer.book.title': 'احجز خدمة',
  'customer.book.body': 'قريبًا ستتمكن من حجز فنّي موثّق من هنا ومتابعة المهمة مباشرةً.',
  'customer.book.soon': 'قريبًا',
  'customer.categories': 'الخدمات',
  'category.plumbing': 'السباكة',
  'category.electrical': 'الكهرباء',
  'category.ac': 'إصلاح التكييف',
  'category.cleaning': 'التنظيف',

  'technician.online.title': 'ابدأ استقبال المهام',
  'technician.online.body': 'عندما تكون متاحًا، يمكن للعملاء القريبين منك إرسال مهام إليك.',
  'technician.online.action': 'كن متاحًا',
  'technician.verification.title': 'التحقق قيد المراجعة',
  'technician.verification.body': 'يراجع فريقنا بياناتك. يمكنك أن تصبح متاحًا فور التحقق منك.',

  'admin.queue.title': 'فنّيون بانتظار التحقق',
  'admin.queue.body': 'ستظهر هنا تسجيلات الفنّيين الجدد لمراجعتها.',
};
