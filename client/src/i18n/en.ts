// English UI strings. This dictionary defines the set of keys; ar.ts must provide every one of them.
// `{name}`-style placeholders are filled in by `t(key, { name })`.
export const en = {
  'app.name': 'Fundi',
  'app.skipToContent': 'Skip to main content',
  'app.loading': 'Loading…',

  'lang.label': 'Language',

  'connection.live': 'Live',
  'connection.connecting': 'Connecting…',
  'connection.reconnecting': 'Reconnecting…',
  'connection.offline': 'Offline',
  'connection.lastSignal': 'Last update at {time}',

  'offline.banner': 'You’re offline. Some information may be out of date.',
  'offline.unreachable': 'Can’t reach Fundi right now. Some information may be out of date.',

  'update.available': 'Update available',
  'update.body': 'A new version of Fundi is ready.',
  'update.now': 'Update now',
  'update.later': 'Later',
  'update.updating': 'Updating…',

  'notFound.title': 'Page not found',
  'notFound.body': 'We couldn’t find that page. It may have moved.',
  'notFound.back': 'Go to the start page',

  'loadFailed.title': 'Couldn’t load this screen',
  'loadFailed.body': 'Check your connection and try again.',
  'loadFailed.retry': 'Try again',

  'landing.title': 'Skilled help, right when you need it',
  'landing.pitch':
    'Book verified plumbers, electricians, AC technicians and more in Lagos and Cairo — and follow every job live.',
  'landing.signIn': 'Sign in',
  'landing.signUp': 'Create an account',
  'landing.technicians': 'Are you a technician? Create an account to get jobs near you.',

  'signIn.title': 'Sign in',
  'signIn.submit': 'Sign in',
  'signIn.pending': 'Signing in…',
  'signIn.noAccount': 'New to Fundi?',
  'signIn.toSignUp': 'Create an account',

  'signUp.title': 'Create your account',
  'signUp.submit': 'Create account',
  'signUp.pending': 'Creating account…',
  'signUp.haveAccount': 'Already have an account?',
  'signUp.toSignIn': 'Sign in',

  'field.name': 'Full name',
  'field.email': 'Email',
  'field.password': 'Password',
  'field.passwordHint': 'At least 8 characters.',
  'field.showPassword': 'Show password',
  'field.phone': 'Phone number (optional)',
  'field.phoneHint': 'Include your country code, e.g. +234 801 234 5678.',
  'field.role': 'How will you use Fundi?',
  'field.role.customer': 'Book services',
  'field.role.customerHint': 'Find and book technicians near you.',
  'field.role.technician': 'Offer my services',
  'field.role.technicianHint': 'Get jobs as a verified technician.',
  'field.locale': 'Preferred language',

  'validation.name': 'Enter your name.',
  'validation.email': 'Enter a valid email address.',
  'validation.passwordLength': 'Use at least 8 characters.',
  'validation.required': 'This field is required.',
  'validation.phone': 'Enter the number with its country code, e.g. +2348012345678.',
  'validation.role': 'Choose how you will use Fundi.',

  'errors.INVALID_CREDENTIALS': 'The email or password is incorrect.',
  'errors.EMAIL_TAKEN': 'An account with this email already exists. Try signing in instead.',
  'errors.UNAUTHENTICATED': 'Please sign in to continue.',
  'errors.FORBIDDEN_ROLE': 'Your account can’t do that.',
  'errors.NOT_FOUND': 'We couldn’t find what you were looking for.',
  'errors.VALIDATION': 'Please check the highlighted fields.',
  'errors.RATE_LIMITED': 'Too many attempts. Please wait a minute and try again.',
  'errors.CONFLICT': 'Something changed in the meantime. Please try again.',
  'errors.INTERNAL': 'Something went wrong on our side. Please try again.',
  'errors.NETWORK': 'Can’t reach Fundi. Check your connection and try again.',

  'role.customer': 'Customer',
  'role.technician': 'Technician',
  'role.admin': 'Administrator',

  'home.greeting': 'Hello, {name}',
  'home.account': 'Your account',
  'home.memberSince': 'Member since {date}',
  'home.signOut': 'Sign out',
  'home.signingOut': 'Signing out…',

  'customer.book.title': 'Book a service',
  'customer.book.body':
    'Soon you’ll be able to book a verified technician right here and follow the job live.',
  'customer.book.soon': 'Coming soon',
  'customer.categories': 'Services',
  'category.plumbing': 'Plumbing',
  'category.electrical': 'Electrical',
  'category.ac': 'AC repair',
  'category.cleaning': 'Cleaning',

  'technician.online.title': 'Go online',
  'technician.online.body': 'While you’re online, customers near you can send you jobs.',
  'technician.online.action': 'Go online',
  'technician.verification.title': 'Verification pending',
  'technician.verification.body':
    'Our team is reviewing your details. You can go online as soon as you’re verified.',

  'admin.queue.title': 'Technicians awaiting verification',
  'admin.queue.body': 'New technician sign-ups will appear here for review.',
} satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
