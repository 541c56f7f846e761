export * from './bookings';
export * from './catalog';
export * from './leases';
export * from './sessions';
export * from './technicians';
export * from './tracking';
export * from './users';
