import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { certificateKinds, serviceCategories, services } from '../schema';
import { marketSeed, seedMarkets } from './markets';

type SeedService = {
  slug: string;
  en: string;
  ar: string;
  descEn: string;
  descAr: string;
  unit: 'fixed' | 'hourly';
  minutes: number;
  surcharge: number;
  /**
   * Prices in whole units of each market's currency (db/seed/markets.ts), by market slug; stored in minor
   * units. A market without a price here does not list the service.
   */
  price: Record<string, number>;
};

export const catalogSeed: Array<{
  slug: string;
  en: string;
  ar: string;
  icon: string;
  services: SeedService[];
}> = [
  {
    slug: 'shoes',
    en: 'Shoes',
    ar: 'الأحذية',
    icon: 'shoe',
    services: [
      {
        slug: 'shoe-shine',
        en: 'Shoe shine',
        ar: 'تلميع الأحذية',
        descEn: 'Clean, polish and buff one pair at your door.',
        descAr: 'تنظيف وتلميع زوج واحد عند بابك.',
        unit: 'fixed',
        minutes: 20,
        surcharge: 20,
        price: { lagos: 1500, cairo: 60 },
      },
      {
        slug: 'shoe-repair',
        en: 'Shoe repair',
        ar: 'إصلاح الأحذية',
        descEn: 'Soles, heels, stitching and glue for one pair.',
        descAr: 'نعال وكعوب وخياطة ولصق لزوج واحد.',
        unit: 'fixed',
        minutes: 45,
        surcharge: 20,
        price: { lagos: 4000, cairo: 150 },
      },
    ],
  },
  {
    slug: 'plumbing',
    en: 'Plumbing',
    ar: 'السباكة',
    icon: 'tap',
    services: [
      {
        slug: 'leak-repair',
        en: 'Leak repair',
        ar: 'إصلاح التسريب',
        descEn: 'Find and fix a leaking pipe, tap or toilet.',
        descAr: 'اكتشاف وإصلاح تسريب في ماسورة أو صنبور أو مرحاض.',
        unit: 'fixed',
        minutes: 60,
        surcharge: 50,
        price: { lagos: 12000, cairo: 400 },
      },
      {
        slug: 'drain-unblocking',
        en: 'Drain unblocking',
        ar: 'تسليك المجاري',
        descEn: 'Clear a blocked sink, shower or toilet drain.',
        descAr: 'تسليك حوض أو دش أو مرحاض مسدود.',
        unit: 'fixed',
        minutes: 60,
        surcharge: 50,
        price: { lagos: 10000, cairo: 350 },
      },
      {
        slug: 'plumbing-hourly',
        en: 'Plumber by the hour',
        ar: 'سباك بالساعة',
        descEn: 'Installations and bigger jobs, billed hourly.',
        descAr: 'تركيبات وأعمال أكبر بالساعة.',
        unit: 'hourly',
        minutes: 120,
        surcharge: 50,
        price: { lagos: 8000, cairo: 250 },
      },
    ],
  },
  {
    slug: 'electrical',
    en: 'Electrical',
    ar: 'الكهرباء',
    icon: 'bulb',
    services: [
      {
        slug: 'socket-switch-repair',
        en: 'Socket or switch repair',
        ar: 'إصلاح مقبس أو مفتاح',
        descEn: 'Replace or repair a faulty socket or switch.',
        descAr: 'تغيير أو إصلاح مقبس أو مفتاح تالف.',
        unit: 'fixed',
        minutes: 45,
        surcharge: 50,
        price: { lagos: 8000, cairo: 250 },
      },
      {
        slug: 'wiring-fault',
        en: 'Wiring fault finding',
        ar: 'كشف أعطال الأسلاك',
        descEn: 'Trace and fix tripping breakers and dead circuits.',
        descAr: 'تتبع وإصلاح القواطع والدوائر المعطلة.',
        unit: 'hourly',
        minutes: 90,
        surcharge: 50,
        price: { lagos: 9000, cairo: 300 },
      },
    ],
  },
  {
    slug: 'ac',
    en: 'AC repair',
    ar: 'تكييف الهواء',
    icon: 'snowflake',
    services: [
      {
        slug: 'ac-service',
        en: 'AC servicing',
        ar: 'صيانة المكيف',
        descEn: 'Clean filters and coils, check gas and drainage.',
        descAr: 'تنظيف الفلاتر والملفات وفحص الغاز والتصريف.',
        unit: 'fixed',
        minutes: 90,
        surcharge: 30,
        price: { lagos: 20000, cairo: 600 },
      },
      {
        slug: 'ac-gas-refill',
        en: 'AC gas refill',
        ar: 'شحن غاز المكيف',
        descEn: 'Leak check and refrigerant top-up for one unit.',
        descAr: 'فحص التسريب وشحن غاز لوحدة واحدة.',
        unit: 'fixed',
        minutes: 60,
        surcharge: 30,
        price: { lagos: 35000, cairo: 900 },
      },
    ],
  },
  {
    slug: 'cleaning',
    en: 'Cleaning',
    ar: 'التنظيف',
    icon: 'broom',
    services: [
      {
        slug: 'home-cleaning',
        en: 'Home cleaning',
        ar: 'تنظيف المنزل',
        descEn: 'General cleaning of rooms, kitchen and bathroom.',
        descAr: 'تنظيف عام للغرف والمطبخ والحمام.',
        unit: 'hourly',
        minutes: 180,
        surcharge: 25,
        price: { lagos: 5000, cairo: 150 },
      },
      {
        slug: 'deep-cleaning',
        en: 'Deep cleaning',
        ar: 'تنظيف عميق',
        descEn: 'Move-in or move-out deep clean of a flat.',
        descAr: 'تنظيف عميق لشقة قبل السكن أو بعده.',
        unit: 'fixed',
        minutes: 300,
        surcharge: 25,
        price: { lagos: 45000, cairo: 1500 },
      },
    ],
  },
  {
    slug: 'carpentry',
    en: 'Carpentry',
    ar: 'النجارة',
    icon: 'saw',
    services: [
      {
        slug: 'furniture-assembly',
        en: 'Furniture assembly',
        ar: 'تركيب الأثاث',
        descEn: 'Assemble flat-pack furniture and fix wobbly pieces.',
        descAr: 'تركيب الأثاث الجاهز وتثبيت القطع المهتزة.',
        unit: 'hourly',
        minutes: 120,
        surcharge: 25,
        price: { lagos: 6000, cairo: 200 },
      },
      {
        slug: 'door-lock-repair',
        en: 'Door and lock repair',
        ar: 'إصلاح الأبواب والأقفال',
        descEn: 'Hinges, handles, locks and sticking doors.',
        descAr: 'المفصلات والمقابض والأقفال والأبواب العالقة.',
        unit: 'fixed',
        minutes: 60,
        surcharge: 50,
        price: { lagos: 9000, cairo: 300 },
      },
    ],
  },
  {
    slug: 'appliances',
    en: 'Appliance repair',
    ar: 'إصلاح الأجهزة',
    icon: 'plug',
    services: [
      {
        slug: 'fridge-repair',
        en: 'Fridge repair',
        ar: 'إصلاح الثلاجة',
        descEn: 'Diagnose and repair a fridge or freezer.',
        descAr: 'تشخيص وإصلاح ثلاجة أو فريزر.',
        unit: 'fixed',
        minutes: 90,
        surcharge: 30,
        price: { lagos: 15000, cairo: 500 },
      },
      {
        slug: 'washing-machine-repair',
        en: 'Washing machine repair',
        ar: 'إصلاح الغسالة',
        descEn: 'Drainage, drum and electrical faults.',
        descAr: 'أعطال التصريف والحلة والكهرباء.',
        unit: 'fixed',
        minutes: 90,
        surcharge: 30,
        price: { lagos: 15000, cairo: 500 },
      },
    ],
  },
  {
    slug: 'phones',
    en: 'Phone repair',
    ar: 'إصلاح الهواتف',
    icon: 'phone',
    services: [
      {
        slug: 'screen-replacement',
        en: 'Screen replacement',
        ar: 'تغيير الشاشة',
        descEn: 'Replace a cracked screen (part priced separately).',
        descAr: 'تغيير شاشة مكسورة (القطعة بسعر منفصل).',
        unit: 'fixed',
        minutes: 60,
        surcharge: 20,
        price: { lagos: 7000, cairo: 250 },
      },
      {
        slug: 'battery-replacement',
        en: 'Battery replacement',
        ar: 'تغيير البطارية',
        descEn: 'Swap a worn battery (part priced separately).',
        descAr: 'تغيير بطارية ضعيفة (القطعة بسعر منفصل).',
        unit: 'fixed',
        minutes: 45,
        surcharge: 20,
        price: { lagos: 5000, cairo: 180 },
      },
    ],
  },
];

/**
 * Names of the certificate kinds services may require (`requiredCertificates`), in English and Arabic.
 * A kind an admin uses that is not here is shown by its slug until a row names it.
 */
export const certificateKindSeed: Array<{ slug: string; en: string; ar: string }> = [
  { slug: 'gas-safety', en: 'Gas safety certificate', ar: 'شهادة السلامة من الغاز' },
  { slug: 'electrical-licence', en: 'Electrician’s licence', ar: 'رخصة كهربائي' },
  { slug: 'plumbing-licence', en: 'Plumber’s licence', ar: 'رخصة سبّاك' },
  {
    slug: 'refrigerant-handling',
    en: 'Refrigerant handling certificate',
    ar: 'شهادة التعامل مع غازات التبريد',
  },
  { slug: 'police-clearance', en: 'Police clearance', ar: 'شهادة حسن السير والسلوك' },
  { slug: 'first-aid', en: 'First aid certificate', ar: 'شهادة الإسعافات الأولية' },
  { slug: 'driving-licence', en: 'Driving licence', ar: 'رخصة قيادة' },
];

/** Inserts the categories and every market's services; idempotent. */
export async function seedCatalog(db: Db): Promise<void> {
  await seedMarkets(db);
  await db
    .insert(certificateKinds)
    .values(certificateKindSeed.map((k) => ({ slug: k.slug, nameEn: k.en, nameAr: k.ar })))
    .onConflictDoNothing();
  for (const [order, c] of catalogSeed.entries()) {
    await db
      .insert(serviceCategories)
      .values({ slug: c.slug, nameEn: c.en, nameAr: c.ar, icon: c.icon, sortOrder: order })
      .onConflictDoNothing();
    const [cat] = await db.select().from(serviceCategories).where(sql`${serviceCategories.slug} = ${c.slug}`);
    for (const { slug: market, currency } of marketSeed) {
      const listed = c.services.filter((s) => s.price[market] !== undefined);
      if (listed.length === 0) continue;
      await db
        .insert(services)
        .values(
          listed.map((s, i) => ({
            categoryId: cat!.id,
            market,
            slug: s.slug,
            nameEn: s.en,
            nameAr: s.ar,
            descriptionEn: s.descEn,
            descriptionAr: s.descAr,
            basePrice: s.price[market]! * 100,
            currency,
            priceUnit: s.unit,
            durationMinutes: s.minutes,
            emergencySurchargePct: s.surcharge,
            sortOrder: i,
          })),
        )
        .onConflictDoNothing();
    }
  }
  // Technicians set their own prices within half to three times the list price (an admin may change it).
  await db.execute(sql`UPDATE services SET min_price = ceil(base_price * 0.5), max_price = base_price * 3
                       WHERE min_price IS NULL AND max_price IS NULL`);
}
