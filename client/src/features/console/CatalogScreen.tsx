import { type FormEvent, type ReactNode, useId, useState } from 'react';
import {
  type AdminCategory,
  type AdminService,
  catalogIcons,
  type CatalogIcon as IconKey,
} from '../../../../server/contracts/console';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { amountInput, parseAmount } from '../payments/money';
import { ConsoleNav } from './ConsoleNav';
import { CatalogIcon } from './icons';

/** Categories (shared by every market) and each market's services: names in both languages, prices, icons. */
export function CatalogScreen() {
  const { t, localized } = useI18n();
  const id = useId();
  const markets = trpc.market.list.useQuery(undefined, { staleTime: 60_000 });
  // The first market of the list (markets are data) until the admin picks another.
  const [picked, setPicked] = useState<string | null>(null);
  const market = picked ?? markets.data?.[0]?.slug ?? null;
  const list = trpc.admin.catalog.list.useQuery(
    { market: market ?? '' },
    { staleTime: 0, enabled: market !== null },
  );
  const [editing, setEditing] = useState<string | null>(null);
  const currency = markets.data?.find((m) => m.slug === market)?.currency ?? '';

  return (
    <Screen heading={t('console.catalog.title')} testId="admin-catalog">
      <ConsoleNav />
      <p className="muted small">{t('console.catalog.newQuotesOnly')}</p>
      <div className="field">
        <label htmlFor={`${id}-market`}>{t('console.catalog.market')}</label>
        <select
          id={`${id}-market`}
          value={market ?? ''}
          onChange={(e) => setPicked(e.target.value)}
          data-testid="catalog-market"
        >
          {(markets.data ?? []).map((m) => (
            <option key={m.slug} value={m.slug}>
              {localized(m.name)}
            </option>
          ))}
        </select>
      </div>
      {list.isPending || market === null ? (
        <Loading />
      ) : list.error ? (
        <p className="form-error" role="alert">
          {t(problemKey(list.error))}
        </p>
      ) : (
        <>
          <section className="card" aria-labelledby={`${id}-cats`}>
            <h2 id={`${id}-cats`}>{t('console.catalog.categories')}</h2>
            <p className="muted small">{t('console.catalog.perMarket')}</p>
            <ul className="console-list" data-testid="catalog-categories">
              {list.data.categories.map((c) => (
                <li key={c.id} className="console-row">
                  <span>
                    <CatalogIcon name={c.icon} /> {localized(c.name)}
                  </span>
                  {localized(c.description) && (
                    <span className="small muted">{localized(c.description)}</span>
                  )}
                  <span className="small">
                    {t('console.catalog.servicesCount', { count: c.services })}
                    {c.activeInMarket === 0 && (
                      <>
                        {' · '}
                        <span data-testid="category-hidden-here">{t('console.catalog.hiddenHere')}</span>
                      </>
                    )}{' '}
                    <button
                      type="button"
                      className="button-link"
                      aria-expanded={editing === c.id}
                      onClick={() => setEditing(editing === c.id ? null : c.id)}
                    >
                      {t('console.catalog.edit')}
                    </button>
                  </span>
                  {editing === c.id && <CategoryForm category={c} onDone={() => setEditing(null)} />}
                </li>
              ))}
            </ul>
            {editing === 'new-category' ? (
              <CategoryForm onDone={() => setEditing(null)} />
            ) : (
              <button
                type="button"
                className="button button-secondary"
                data-testid="new-category"
                onClick={() => setEditing('new-category')}
              >
                {t('console.catalog.newCategory')}
              </button>
            )}
          </section>
          <section className="card" aria-labelledby={`${id}-svcs`}>
            <h2 id={`${id}-svcs`}>{t('console.catalog.services')}</h2>
            <ul className="console-list" data-testid="catalog-services">
              {list.data.services.map((s) => (
                <ServiceRow
                  key={s.id}
                  s={s}
                  categories={list.data.categories}
                  open={editing === s.id}
                  onToggle={() => setEditing(editing === s.id ? null : s.id)}
                  onDone={() => setEditing(null)}
                />
              ))}
            </ul>
            {editing === 'new-service' ? (
              <ServiceForm
                categories={list.data.categories}
                market={market}
                currency={currency}
                onDone={() => setEditing(null)}
              />
            ) : (
              <button
                type="button"
                className="button button-secondary"
                data-testid="new-service"
                onClick={() => setEditing('new-service')}
              >
                {t('console.catalog.newService')}
              </button>
            )}
          </section>
        </>
      )}
    </Screen>
  );
}

function ServiceRow({
  s,
  categories,
  open,
  onToggle,
  onDone,
}: {
  s: AdminService;
  categories: AdminCategory[];
  open: boolean;
  onToggle: () => void;
  onDone: () => void;
}) {
  const { t, localized, formatMoney } = useI18n();
  const icon = categories.find((c) => c.id === s.categoryId)?.icon ?? 'tools';
  return (
    <li className="console-row" data-testid={`service-${s.slug}`}>
      <span>
        <CatalogIcon name={icon} /> {localized(s.name)}
        {!s.active && <span className="muted small"> · {t('console.catalog.inactive')}</span>}
      </span>
      <span className="small">
        {t('console.catalog.summary', {
          price: formatMoney(s.basePrice),
          minutes: s.durationMinutes,
          surcharge: s.emergencySurchargePct,
        })}{' '}
        <button type="button" className="button-link" aria-expanded={open} onClick={onToggle}>
          {t('console.catalog.edit')}
        </button>
      </span>
      {open && (
        <ServiceForm
          service={s}
          categories={categories}
          market={s.market}
          currency={s.basePrice.currency}
          onDone={onDone}
        />
      )}
    </li>
  );
}

function useSaved(onDone: () => void) {
  const utils = trpc.useUtils();
  return () => {
    void utils.admin.catalog.list.invalidate();
    void utils.catalog.invalidate();
    onDone();
  };
}

function IconPicker({ value }: { value: string }) {
  const { t } = useI18n();
  return (
    <fieldset className="icon-picker">
      <legend className="visually-hidden">{t('console.catalog.icon')}</legend>
      {catalogIcons.map((key) => (
        <label key={key} title={key}>
          <input type="radio" name="icon" value={key} defaultChecked={value === key} aria-label={key} />
          <CatalogIcon name={key} size={22} />
        </label>
      ))}
    </fieldset>
  );
}

function Text({
  name,
  label,
  value,
  dir,
  type = 'text',
  required = true,
}: {
  name: string;
  label: string;
  value?: string | number | null;
  dir?: 'ltr' | 'rtl';
  type?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        dir={dir}
        required={required}
        defaultValue={value ?? ''}
        inputMode={type === 'number' ? 'numeric' : undefined}
      />
    </div>
  );
}

/** What categories and services are both called: slug, name and description in both languages. */
function NamingFields({ item }: { item?: AdminCategory | AdminService }) {
  const { t } = useI18n();
  return (
    <>
      <Text name="slug" label={t('console.catalog.slug')} value={item?.slug} dir="ltr" />
      <Text name="nameEn" label={t('console.catalog.nameEn')} value={item?.name.en} dir="ltr" />
      <Text name="nameAr" label={t('console.catalog.nameAr')} value={item?.name.ar} dir="rtl" />
      <Text
        name="descriptionEn"
        label={t('console.catalog.descriptionEn')}
        value={item?.description.en}
        dir="ltr"
        required={false}
      />
      <Text
        name="descriptionAr"
        label={t('console.catalog.descriptionAr')}
        value={item?.description.ar}
        dir="rtl"
        required={false}
      />
    </>
  );
}

/** The NamingFields' values, trimmed. */
function namingOf(f: FormData) {
  const str = (k: string) => String(f.get(k) ?? '').trim();
  return {
    slug: str('slug'),
    nameEn: str('nameEn'),
    nameAr: str('nameAr'),
    descriptionEn: str('descriptionEn'),
    descriptionAr: str('descriptionAr'),
  };
}

/** Save, any other action of the form (`children`), and cancel. */
function FormActions({
  pending,
  onCancel,
  children,
}: {
  pending: boolean;
  onCancel: () => void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="console-actions">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? t('console.saving') : t('console.save')}
      </button>
      {children}
      <button type="button" className="button button-ghost" onClick={onCancel}>
        {t('console.cancel')}
      </button>
    </div>
  );
}

function CategoryForm({ category, onDone }: { category?: AdminCategory; onDone: () => void }) {
  const { t } = useI18n();
  const saved = useSaved(onDone);
  const create = trpc.admin.catalog.categories.create.useMutation({ onSuccess: saved });
  const update = trpc.admin.catalog.categories.update.useMutation({ onSuccess: saved });
  const remove = trpc.admin.catalog.categories.delete.useMutation({ onSuccess: saved });
  const m = category ? update : create;
  const error = m.error ?? remove.error;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const v = {
      ...namingOf(f),
      icon: String(f.get('icon') ?? 'tools') as IconKey,
      sortOrder: Number(f.get('sortOrder') ?? 0) || 0,
    };
    if (category) update.mutate({ id: category.id, ...v });
    else create.mutate(v);
  };
  return (
    <form
      className="console-form span-2"
      style={{ flexBasis: '100%' }}
      onSubmit={submit}
      data-testid="category-form"
    >
      <NamingFields item={category} />
      <IconPicker value={category?.icon ?? 'tools'} />
      <input type="hidden" name="sortOrder" value={category?.sortOrder ?? 0} />
      {error && (
        <p className="form-error" role="alert">
          {t(problemKey(error))}
        </p>
      )}
      <FormActions pending={m.isPending} onCancel={onDone}>
        {category && category.services === 0 && (
          <button
            type="button"
            className="button button-danger-outline"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ id: category.id })}
          >
            {t('console.catalog.deleteCategory')}
          </button>
        )}
      </FormActions>
    </form>
  );
}

function ServiceForm({
  service,
  categories,
  market,
  currency,
  onDone,
}: {
  service?: AdminService;
  categories: AdminCategory[];
  market: string;
  currency: string;
  onDone: () => void;
}) {
  const { t, localized } = useI18n();
  const id = useId();
  const saved = useSaved(onDone);
  const create = trpc.admin.catalog.services.create.useMutation({ onSuccess: saved });
  const update = trpc.admin.catalog.services.update.useMutation({ onSuccess: saved });
  const m = service ? update : create;
  const [invalid, setInvalid] = useState(false);
  const money = (v: number | null | undefined) => (v == null ? '' : amountInput(v));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const str = (k: string) => String(f.get(k) ?? '').trim();
    const amount = (k: string) => (str(k) ? parseAmount(str(k)) : null);
    const basePrice = amount('basePrice');
    if (basePrice == null) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const v = {
      categoryId: str('categoryId'),
      ...namingOf(f),
      basePrice,
      minPrice: amount('minPrice'),
      maxPrice: amount('maxPrice'),
      priceUnit: (str('priceUnit') === 'hourly' ? 'hourly' : 'fixed') as 'fixed' | 'hourly',
      durationMinutes: Number(str('durationMinutes')) || 0,
      emergencySurchargePct: Number(str('emergencySurchargePct')) || 0,
      requiredCertificates: str('requiredCertificates')
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean),
      active: f.get('active') === 'on',
    };
    if (service) update.mutate({ id: service.id, ...v });
    else create.mutate({ ...v, market });
  };
  return (
    <form className="console-form" style={{ flexBasis: '100%' }} onSubmit={submit} data-testid="service-form">
      <div className="field">
        <label htmlFor={`${id}-cat`}>{t('console.catalog.category')}</label>
        <select id={`${id}-cat`} name="categoryId" defaultValue={service?.categoryId ?? categories[0]?.id}>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {localized(c.name)}
            </option>
          ))}
        </select>
      </div>
      <NamingFields item={service} />
      <div className="row-2">
        <Text
          name="basePrice"
          label={`${t('console.catalog.basePrice')} (${currency})`}
          value={money(service?.basePrice.amount)}
        />
        <div className="field">
          <label htmlFor={`${id}-unit`}>{t('console.catalog.unit')}</label>
          <select id={`${id}-unit`} name="priceUnit" defaultValue={service?.priceUnit ?? 'fixed'}>
            <option value="fixed">{t('console.catalog.unit.fixed')}</option>
            <option value="hourly">{t('console.catalog.unit.hourly')}</option>
          </select>
        </div>
      </div>
      <div className="row-2">
        <Text
          name="minPrice"
          label={t('console.catalog.minPrice')}
          value={money(service?.minPrice?.amount)}
          required={false}
        />
        <Text
          name="maxPrice"
          label={t('console.catalog.maxPrice')}
          value={money(service?.maxPrice?.amount)}
          required={false}
        />
      </div>
      <div className="row-2">
        <Text
          name="durationMinutes"
          label={t('console.catalog.duration')}
          value={service?.durationMinutes ?? 60}
          type="number"
        />
        <Text
          name="emergencySurchargePct"
          label={t('console.catalog.surcharge')}
          value={service?.emergencySurchargePct ?? 0}
          type="number"
        />
      </div>
      <Text
        name="requiredCertificates"
        label={t('console.catalog.certificates')}
        value={service?.requiredCertificates.join(', ')}
        dir="ltr"
        required={false}
      />
      <label className="checkbox">
        <input type="checkbox" name="active" defaultChecked={service?.active ?? true} />{' '}
        {t('console.catalog.active')}
      </label>
      {(invalid || m.error) && (
        <p className="form-error" role="alert">
          {t(invalid ? 'errors.VALIDATION' : problemKey(m.error))}
        </p>
      )}
      <FormActions pending={m.isPending} onCancel={onDone} />
    </form>
  );
}
