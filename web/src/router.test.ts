import { describe, expect, it } from 'vitest';
import { matchPath } from './router';

describe('matchPath', () => {
  it('matches literals and parameters', () => {
    expect(matchPath('/devices', '/devices')).toEqual({});
    expect(matchPath('/devices', '/devices/')).toEqual({});
    expect(matchPath('/devices/:id', '/devices/dev_x')).toEqual({ id: 'dev_x' });
    expect(matchPath('/devices/:id', '/devices/a%20b')).toEqual({ id: 'a b' });
  });
  it('refuses other paths and bad escapes', () => {
    expect(matchPath('/devices/:id', '/devices')).toBeNull();
    expect(matchPath('/devices', '/admin/devices')).toBeNull();
    expect(matchPath('/devices/:id', '/devices/%E0%A4%A')).toBeNull();
  });
});
