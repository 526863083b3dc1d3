export {
  planEbsStripe,
  stripeProbeInput,
  checkStripeParams,
  type EbsStripeParams,
  type NewIds,
  type StoragePlan,
  type Unchanged,
} from './ebs-stripe.js';
export { planSwapfile, type SwapfileParams } from './swapfile.js';
export { formatRefusals, type Refusal } from './refusal.js';
export { parseSize, isSize } from './size.js';
export { udevRulePath, udevRuleContent } from './readahead.js';
export { planFstab, formatFstabLine, withNofail, type FstabChange, type FstabLine } from './fstab.js';
export { planMdadmConf, arrayLine, type MdadmConfChange } from './mdadm-conf.js';
export { inspectDevice, type DeviceVerdict } from './safety.js';
export { stepAsRoot, factAsRoot, needsSudo } from './as-root.js';
export { storageReport, type StorageReport } from './report.js';
