// loadConfig / loadVerificationKey: production refuses a missing or short
// secret, development creates one (mode 0600) and keeps it, bad values are
// ConfigErrors, and the YAML file is read with environment variables winning.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { loadVerificationKey, MIN_SECRET_BYTES } from '../../src/auth/keys';
import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-config-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const prod = (extra: Record<string, string> = {}) =>
    loadConfig({ BTV_ENV: 'production', BTV_DATA_DIR: tmp, ...extra });

  describe('loadConfig defaults', () => {
    it('defaults to development, HS256, port 50051, and nothing for iss/aud', () => {
      const c = loadConfig({ BTV_DATA_DIR: tmp });
      expect(c).to.deep.include({ env: 'development', port: 50051, host: '0.0.0.0', dataDir: tmp, logLevel: 'info' });
      expect(c.jwt).to.deep.equal({
        algorithm: 'HS256',
        secret: undefined,
        publicKeyFile: undefined,
        issuer: undefined,
        audience: undefined,
        maxLifetimeS: 7_776_000,
      });
      expect(c.databaseUrl).to.equal(undefined);
    });

    it('does not read process.env when given an env object', () => {
      const before = process.env.BTV_PORT;
      process.env.BTV_PORT = '12345';
      try {
        expect(loadConfig({ BTV_DATA_DIR: tmp }).port).to.equal(50051);
      } finally {
        if (before === undefined) delete process.env.BTV_PORT;
        else process.env.BTV_PORT = before;
      }
    });
  });

  describe('token lifetime', () => {
    it('BTV_JWT_MAX_LIFETIME_S is read in seconds, from the environment or the file', () => {
      expect(loadConfig({ BTV_DATA_DIR: tmp, BTV_JWT_MAX_LIFETIME_S: '3600' }).jwt.maxLifetimeS).to.equal(3600);
      const file = path.join(tmp, 'btv.yaml');
      fs.writeFileSync(file, 'jwt_max_lifetime_s: 86400\n');
      expect(loadConfig({ BTV_DATA_DIR: tmp, BTV_CONFIG: file }).jwt.maxLifetimeS).to.equal(86400);
    });

    it('refuses a lifetime that is not a whole number of seconds from 60 to ten years, naming the variable', () => {
      for (const v of ['0', '59', '-1', '1.5', '90d', String(3650 * 86400 + 1)]) {
        expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_JWT_MAX_LIFETIME_S: v }), v).to.throw(
          ConfigError,
          /BTV_JWT_MAX_LIFETIME_S/,
        );
      }
    });
  });

  describe('rate limits', () => {
    it("default to the reference API's quotas, in memory", () => {
      expect(loadConfig({ BTV_DATA_DIR: tmp }).rateLimits).to.deep.equal({
        store: 'memory',
        perMinute: { tenants: 10, systems: 50, enforce: 100, audit: 20, operations: 50 },
      });
    });

    it('are set per group; 0 turns one off', () => {
      const c = loadConfig({
        BTV_DATA_DIR: tmp,
        BTV_RATE_LIMIT_ENFORCE: '5000',
        BTV_RATE_LIMIT_AUDIT: '0',
        BTV_RATE_LIMIT_OPERATIONS: '7',
      });
      expect(c.rateLimits.perMinute).to.deep.include({ enforce: 5000, audit: 0, tenants: 10, operations: 7 });
      expect(
        loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_OPERATIONS: '0' }).rateLimits.perMinute.operations,
      ).to.equal(0);
    });

    it('refuse a negative or fractional quota and an unknown store, naming the variable', () => {
      expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_SYSTEMS: '-1' })).to.throw(
        ConfigError,
        /BTV_RATE_LIMIT_SYSTEMS/,
      );
      expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_TENANTS: '1.5' })).to.throw(
        ConfigError,
        /BTV_RATE_LIMIT_TENANTS/,
      );
      expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_OPERATIONS: 'lots' })).to.throw(
        ConfigError,
        /BTV_RATE_LIMIT_OPERATIONS/,
      );
      expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_STORE: 'redis' })).to.throw(
        ConfigError,
        /BTV_RATE_LIMIT_STORE/,
      );
    });

    it('share a store through PostgreSQL, the embedded one included', () => {
      expect(loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_STORE: 'postgres' }).rateLimits.store).to.equal('postgres');
      expect(
        loadConfig({ BTV_DATA_DIR: tmp, BTV_RATE_LIMIT_STORE: 'postgres', BTV_DATABASE_URL: 'postgres://db/x' })
          .rateLimits.store,
      ).to.equal('postgres');
    });
  });

  describe('HS256 secret', () => {
    it('refuses production with no secret, naming BTV_JWT_SECRET', () => {
      expect(() => loadVerificationKey(prod())).to.throw(ConfigError, /BTV_JWT_SECRET/);
      // An empty variable is no secret either.
      expect(() => loadVerificationKey(prod({ BTV_JWT_SECRET: '' }))).to.throw(ConfigError, /BTV_JWT_SECRET/);
      // And nothing was written to the data folder.
      expect(fs.readdirSync(tmp)).to.deep.equal([]);
    });

    it('refuses production with a 31-byte secret', () => {
      expect(MIN_SECRET_BYTES).to.equal(32);
      expect(() => loadVerificationKey(prod({ BTV_JWT_SECRET: 'a'.repeat(31) }))).to.throw(
        ConfigError,
        /BTV_JWT_SECRET.*32/,
      );
    });

    it('counts bytes, not characters', () => {
      // 16 two-byte characters: 16 characters but 32 bytes.
      expect(() => loadVerificationKey(prod({ BTV_JWT_SECRET: 'é'.repeat(16) }))).not.to.throw();
      // 31 bytes made of multi-byte characters is still too short.
      expect(() => loadVerificationKey(prod({ BTV_JWT_SECRET: 'é'.repeat(15) + 'a' }))).to.throw(ConfigError);
    });

    it('accepts production with a 32-byte secret, as that exact key', () => {
      const secret = 'b'.repeat(32);
      const { key, source } = loadVerificationKey(prod({ BTV_JWT_SECRET: secret }));
      expect(key.type).to.equal('secret');
      expect(key.export().toString()).to.equal(secret);
      expect(source).to.equal('BTV_JWT_SECRET');
      expect(source).not.to.contain(secret);
    });

    it('accepts a short secret in development (only production is strict)', () => {
      const { key } = loadVerificationKey(loadConfig({ BTV_DATA_DIR: tmp, BTV_JWT_SECRET: 'short' }));
      expect(key.export().toString()).to.equal('short');
      expect(fs.readdirSync(tmp)).to.deep.equal([]);
    });

    it('in development with no secret creates <dataDir>/jwt-secret (0600) and reuses it', () => {
      const dataDir = path.join(tmp, 'nested', 'data');
      const config = loadConfig({ BTV_DATA_DIR: dataDir });
      const first = loadVerificationKey(config);
      const file = path.join(dataDir, 'jwt-secret');
      expect(first.source).to.equal(file);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(first.key.export().length).to.be.at.least(MIN_SECRET_BYTES);

      const second = loadVerificationKey(loadConfig({ BTV_DATA_DIR: dataDir }));
      expect(second.source).to.equal(file);
      expect(Buffer.compare(second.key.export(), first.key.export())).to.equal(0);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);

      // A different data folder gets a different secret.
      const other = loadVerificationKey(loadConfig({ BTV_DATA_DIR: path.join(tmp, 'other') }));
      expect(Buffer.compare(other.key.export(), first.key.export())).not.to.equal(0);
      // No temporary files are left behind.
      expect(fs.readdirSync(dataDir)).to.deep.equal(['jwt-secret']);
    });

    it('refuses an empty or cut development secret file instead of using a weak key', () => {
      for (const content of ['', '\n', 'short']) {
        fs.writeFileSync(path.join(tmp, 'jwt-secret'), content);
        expect(() => loadVerificationKey(loadConfig({ BTV_DATA_DIR: tmp }))).to.throw(ConfigError, /under 32 bytes/);
      }
    });
  });

  describe('RS256 / ES256 public key', () => {
    const writeKey = (name: string, key: crypto.KeyObject) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, key.export({ type: 'spki', format: 'pem' }));
      return file;
    };

    it('requires BTV_JWT_PUBLIC_KEY_FILE', () => {
      expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'RS256' }))).to.throw(
        ConfigError,
        /BTV_JWT_PUBLIC_KEY_FILE/,
      );
    });

    it('loads an RSA key for RS256 and an EC key for ES256, and refuses them crossed', () => {
      const rsa = writeKey('rsa.pem', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
      const ec = writeKey('ec.pem', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
      expect(
        loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'RS256', BTV_JWT_PUBLIC_KEY_FILE: rsa })).key.asymmetricKeyType,
      ).to.equal('rsa');
      expect(
        loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'ES256', BTV_JWT_PUBLIC_KEY_FILE: ec })).key.asymmetricKeyType,
      ).to.equal('ec');
      expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'RS256', BTV_JWT_PUBLIC_KEY_FILE: ec }))).to.throw(
        ConfigError,
      );
      expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'ES256', BTV_JWT_PUBLIC_KEY_FILE: rsa }))).to.throw(
        ConfigError,
      );
    });

    it('refuses a missing file and a file that is not a PEM public key', () => {
      const junk = path.join(tmp, 'junk.pem');
      fs.writeFileSync(junk, 'not a key');
      for (const file of [path.join(tmp, 'absent.pem'), junk]) {
        expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'RS256', BTV_JWT_PUBLIC_KEY_FILE: file }))).to.throw(
          ConfigError,
          /BTV_JWT_PUBLIC_KEY_FILE/,
        );
      }
    });

    it('refuses an EC key on a curve other than P-256 for ES256', () => {
      const p384 = writeKey('p384.pem', crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
      expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'ES256', BTV_JWT_PUBLIC_KEY_FILE: p384 }))).to.throw(
        ConfigError,
        /P-256/,
      );
    });

    it('refuses an RSA key under 2048 bits in production', () => {
      const small = writeKey('small.pem', crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
      expect(() => loadVerificationKey(prod({ BTV_JWT_ALGORITHM: 'RS256', BTV_JWT_PUBLIC_KEY_FILE: small }))).to.throw(
        ConfigError,
        /2048/,
      );
    });
  });

  describe('invalid values are ConfigErrors', () => {
    for (const port of ['abc', '-1', '65536', '1.5', '80abc']) {
      it(`BTV_PORT=${port}`, () => {
        expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_PORT: port })).to.throw(ConfigError, /BTV_PORT/);
      });
    }
    it('BTV_PORT=0 (any free port) and 65535 are accepted', () => {
      expect(loadConfig({ BTV_PORT: '0' }).port).to.equal(0);
      expect(loadConfig({ BTV_PORT: '65535' }).port).to.equal(65535);
    });
    for (const mode of ['staging', 'prod', 'PRODUCTION']) {
      it(`BTV_ENV=${mode}`, () => {
        expect(() => loadConfig({ BTV_DATA_DIR: tmp, BTV_ENV: mode })).to.throw(ConfigError, /BTV_ENV/);
      });
    }
    it('BTV_JWT_ALGORITHM=none and HS512', () => {
      for (const alg of ['none', 'HS512', 'hs256']) {
        expect(() => loadConfig({ BTV_JWT_ALGORITHM: alg }), alg).to.throw(ConfigError, /BTV_JWT_ALGORITHM/);
      }
    });
  });

  describe('BTV_CONFIG yaml file', () => {
    const writeYaml = (text: string) => {
      const file = path.join(tmp, 'btv.yaml');
      fs.writeFileSync(file, text);
      return file;
    };

    it('reads values from the file', () => {
      const file = writeYaml(
        [
          'env: production',
          'port: 6000',
          'host: 127.0.0.1',
          'jwt_issuer: https://issuer.test',
          'jwt_audience: btv',
          `data_dir: ${tmp}`,
          'log_level: debug',
          '',
        ].join('\n'),
      );
      const c = loadConfig({ BTV_CONFIG: file });
      expect(c).to.deep.include({ env: 'production', port: 6000, host: '127.0.0.1', dataDir: tmp, logLevel: 'debug' });
      expect(c.jwt).to.deep.include({ issuer: 'https://issuer.test', audience: 'btv' });
    });

    it('lets environment variables override the file', () => {
      const file = writeYaml('port: 6000\njwt_issuer: from-file\nlog_level: debug\n');
      const c = loadConfig({ BTV_CONFIG: file, BTV_PORT: '7000', BTV_JWT_ISSUER: 'from-env' });
      expect(c.port).to.equal(7000);
      expect(c.jwt.issuer).to.equal('from-env');
      expect(c.logLevel).to.equal('debug');
    });

    it('validates file values like environment values', () => {
      expect(() => loadConfig({ BTV_CONFIG: writeYaml('port: 99999\n') })).to.throw(ConfigError, /BTV_PORT/);
      expect(() => loadConfig({ BTV_CONFIG: writeYaml('env: staging\n') })).to.throw(ConfigError, /BTV_ENV/);
    });

    it('refuses a missing file, bad YAML, a non-mapping document and a nested value', () => {
      expect(() => loadConfig({ BTV_CONFIG: path.join(tmp, 'absent.yaml') })).to.throw(ConfigError, /BTV_CONFIG/);
      expect(() => loadConfig({ BTV_CONFIG: writeYaml('port: [1, 2\n') })).to.throw(ConfigError, /BTV_CONFIG/);
      expect(() => loadConfig({ BTV_CONFIG: writeYaml('- a\n- b\n') })).to.throw(ConfigError, /mapping/);
      expect(() => loadConfig({ BTV_CONFIG: writeYaml('jwt:\n  issuer: x\n') })).to.throw(ConfigError, /scalar/);
    });

    it('treats an empty file as no settings', () => {
      expect(loadConfig({ BTV_CONFIG: writeYaml('') }).port).to.equal(50051);
    });
  });
});
