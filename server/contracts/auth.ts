// Pure zod schemas + inferred types shared by the server and the client (no Node imports here).
import { z } from 'zod';
import { CONTROL_CHARACTERS_MESSAGE, SINGLE_LINE_TEXT } from './text';

export const roles = ['customer', 'technician', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const locales = ['en', 'ar'] as const;
export const localeSchema = z.enum(locales);
export type Locale = z.infer<typeof localeSchema>;

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((e) => e.toLowerCase());
export const passwordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(256)
  .refine((p) => p.trim().length > 0, 'A password cannot be only spaces');
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'Phone must be in E.164 format, e.g. +2348012345678');

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
export const timeZoneSchema = z.string().max(64).refine(isTimeZone, 'Unknown IANA time zone');

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(100)
    .regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
  role: z.enum(['customer', 'technician']),
  phone: phoneSchema.optional(),
  locale: localeSchema.optional(),
  timeZone: timeZoneSchema.optional(),
});
export type SignUpInput = z.input<typeof signUpInput>;

export const signInInput = z.object({
  email: emailSchema,
  password: z.string().min(1).max(256),
});
export type SignInInput = z.input<typeof signInInput>;

export const updateMeInput = z.object({
  name: z.string().trim().min(1).max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  phone: phoneSchema.nullable().optional(),
  locale: localeSchema.optional(),
  timeZone: timeZoneSchema.optional(),
});

/** The user as every client sees it: dates are ISO strings on the wire. */
export type PublicUser = {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  role: Role;
  locale: Locale;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
};

export type AuthResult = { user: PublicUser; token: string; expiresAt: string };
