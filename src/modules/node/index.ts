/** Registry lines of the node modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { aptModule, packageModule } from './apt.js';
import { blockinfileModule } from './blockinfile.js';
import { commandModule } from './command.js';
import { assembleModule } from './assemble.js';
import { copyModule } from './copy.js';
import { debconfModule } from './debconf.js';
import { getentModule } from './getent.js';
import { fileModule } from './file.js';
import { hostnameModule } from './hostname.js';
import { findModule } from './find.js';
import { getUrlModule } from './get-url.js';
import { k3sConfigModule } from './k3s-config.js';
import { lineinfileModule } from './lineinfile.js';
import { modprobeModule } from './modprobe.js';
import { mountModule } from './mount.js';
import { pipModule } from './pip.js';
import { selinuxModule } from './selinux.js';
import { cronModule } from './cron.js';
import { yumRepositoryModule } from './yum-repository.js';
import { knownHostsModule } from './known-hosts.js';
import { dpkgSelectionsModule } from './dpkg-selections.js';
import { asyncStatusModule } from './async-status.js';
import { authorizedKeyModule } from './authorized-key.js';
import { alternativesModule } from './alternatives.js';
import { timezoneModule } from './timezone.js';
import { packageFactsModule } from './package-facts.js';
import { serviceFactsModule } from './service-facts.js';
import { rawModule } from './raw.js';
import { rebootModule } from './reboot.js';
import { replaceModule } from './replace.js';
import { scriptModule } from './run-script.js';
import { setupModule } from './setup.js';
import { shellModule } from './shell.js';
import { fetchModule } from './fetch.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { sysctlModule } from './sysctl.js';
import { tempfileModule } from './tempfile.js';
import { serviceModule, systemdModule } from './systemd.js';
import { templateModule } from './template.js';
import { unarchiveModule } from './unarchive.js';
import { uriModule } from './uri.js';
import { groupModule, userModule } from './user.js';
import { waitForConnectionModule } from './wait-for-connection.js';
import { waitForModule } from './wait-for.js';
import { dnfModule } from './dnf.js';
import { yumModule } from './yum.js';
import { pacmanModule } from './pacman.js';
import { snapModule } from './snap.js';
import { opensslPrivatekeyModule } from './openssl-privatekey.js';
import { opensslCsrModule } from './openssl-csr.js';
import { opensslCsrPipeModule } from './openssl-csr-pipe.js';
import { x509CertificateModule } from './x509-certificate.js';

export const nodeModules: AnyModuleDefinition[] = [
  commandModule,
  shellModule,
  rawModule,
  scriptModule,
  fileModule,
  assembleModule,
  copyModule,
  debconfModule,
  getentModule,
  statModule,
  findModule,
  systemdModule,
  serviceModule,
  slurpModule,
  fetchModule,
  tempfileModule,
  sysctlModule,
  hostnameModule,
  modprobeModule,
  aptModule,
  packageModule,
  userModule,
  groupModule,
  getUrlModule,
  uriModule,
  setupModule,
  templateModule,
  lineinfileModule,
  blockinfileModule,
  replaceModule,
  rebootModule,
  waitForModule,
  waitForConnectionModule,
  k3sConfigModule,
  unarchiveModule,
  mountModule,
  packageFactsModule,
  serviceFactsModule,
  alternativesModule,
  timezoneModule,
  authorizedKeyModule,
  asyncStatusModule,
  dpkgSelectionsModule,
  knownHostsModule,
  yumRepositoryModule,
  cronModule,
  selinuxModule,
  pipModule,
  dnfModule,
  yumModule,
  pacmanModule,
  snapModule,
  opensslPrivatekeyModule,
  opensslCsrModule,
  opensslCsrPipeModule,
  x509CertificateModule,
];
