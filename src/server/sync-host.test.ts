import { describe, expect, it } from 'vitest';
import { hostsFileMapsToLoopback, hostsFilePath } from './sync-host.js';

describe('sync-localhost in the hosts file', () => {
  it('counts only a name pinned to loopback addresses', () => {
    expect(hostsFileMapsToLoopback('127.0.0.1 localhost\n127.0.0.1 sync-localhost # for Stepwise\n', 'sync-localhost')).toBe(true);
    expect(hostsFileMapsToLoopback('127.0.0.1\tlocalhost SYNC-localhost\n::1 sync-localhost', 'sync-localhost')).toBe(true);
    expect(hostsFileMapsToLoopback('127.0.0.1 localhost\n', 'sync-localhost')).toBe(false);
    expect(hostsFileMapsToLoopback('# 127.0.0.1 sync-localhost\n', 'sync-localhost')).toBe(false);
    expect(hostsFileMapsToLoopback('127.0.0.1 sync-localhost.example\n', 'sync-localhost')).toBe(false);
    // Also mapped elsewhere: not pinned, whatever the order.
    expect(hostsFileMapsToLoopback('127.0.0.1 sync-localhost\n10.0.0.5 sync-localhost\n', 'sync-localhost')).toBe(false);
  });

  it('reads the platform’s hosts file', () => {
    expect(hostsFilePath('linux')).toBe('/etc/hosts');
    expect(hostsFilePath('win32', { SystemRoot: 'D:\\Win' })).toMatch(/^D:\\Win.System32.drivers.etc.hosts$/);
  });
});
