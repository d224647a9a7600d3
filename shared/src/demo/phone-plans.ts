/**
 * Mobile numbering of the demo's countries: calling code, the leading
 * digits of mobile numbers, and the length of the national significant
 * number (the digits after the calling code). Numbers built from these are
 * valid E.164 for the country (the unit test checks each against
 * libphonenumber's metadata). The numbers are synthetic; those of the US
 * and Canada stay in 555-0100..0199, the range set aside for fiction, as
 * random North American numbers are nearly all someone's.
 */
export interface PhonePlan {
  /** ISO 3166-1 alpha-2. */
  country: string;
  callingCode: string;
  prefixes: readonly string[];
  nsnLength: number;
  /** Relative share of demo accounts. */
  weight: number;
}

const fiction555 = (areaCodes: string[]) => areaCodes.map((npa) => `${npa}55501`);

export const DEMO_PHONE_PLANS: readonly PhonePlan[] = [
  { country: 'US', callingCode: '1', prefixes: fiction555(['201', '202', '212', '213', '305', '312', '404', '415', '512', '602', '617', '702', '713', '718', '720', '808', '917', '919']), nsnLength: 10, weight: 10 },
  { country: 'CA', callingCode: '1', prefixes: fiction555(['416', '514', '604', '403', '613']), nsnLength: 10, weight: 3 },
  { country: 'GB', callingCode: '44', prefixes: ['710', '711', '720', '730', '740', '747', '751', '755', '771', '777', '780', '786'], nsnLength: 10, weight: 6 },
  { country: 'DE', callingCode: '49', prefixes: ['151', '152', '157', '159', '160', '162', '163', '176', '177', '178', '179'], nsnLength: 11, weight: 6 },
  { country: 'FR', callingCode: '33', prefixes: ['600', '601', '606', '610', '612', '620', '622', '630', '633', '644', '650', '655', '658'], nsnLength: 9, weight: 4 },
  { country: 'ES', callingCode: '34', prefixes: ['6', '71', '72', '73', '74'], nsnLength: 9, weight: 3 },
  { country: 'IT', callingCode: '39', prefixes: ['32', '33', '34', '35', '36', '37', '38', '39'], nsnLength: 10, weight: 3 },
  { country: 'NL', callingCode: '31', prefixes: ['61', '62', '63', '64', '65'], nsnLength: 9, weight: 2 },
  { country: 'PL', callingCode: '48', prefixes: ['50', '51', '53', '57', '60', '66', '69', '72', '73', '78', '79', '88'], nsnLength: 9, weight: 2 },
  { country: 'SE', callingCode: '46', prefixes: ['70', '72', '73', '76', '79'], nsnLength: 9, weight: 1 },
  { country: 'RU', callingCode: '7', prefixes: ['903', '905', '906', '909', '910', '912', '915', '916', '917', '919', '921', '925', '926', '929', '950', '960', '977', '985', '999'], nsnLength: 10, weight: 14 },
  // +7 is shared: the country is the platform's record of the number, not its calling code.
  { country: 'KZ', callingCode: '7', prefixes: ['700', '701', '702', '705', '707', '747', '771', '775', '776', '777', '778'], nsnLength: 10, weight: 3 },
  { country: 'UA', callingCode: '380', prefixes: ['50', '63', '66', '67', '68', '73', '93', '95', '96', '97', '98', '99'], nsnLength: 9, weight: 5 },
  { country: 'TR', callingCode: '90', prefixes: ['505', '506', '507', '530', '532', '533', '535', '536', '537', '538', '539', '541', '542', '543', '544', '545', '546', '551', '552', '553', '554', '555'], nsnLength: 10, weight: 3 },
  { country: 'EG', callingCode: '20', prefixes: ['10', '11', '12', '15'], nsnLength: 10, weight: 5 },
  { country: 'SA', callingCode: '966', prefixes: ['500', '503', '505', '507', '509', '530', '533', '537', '540', '544', '550', '553', '555', '560', '566'], nsnLength: 9, weight: 4 },
  { country: 'AE', callingCode: '971', prefixes: ['50', '52', '54', '55', '56', '58'], nsnLength: 9, weight: 3 },
  { country: 'MA', callingCode: '212', prefixes: ['600', '610', '611', '615', '620', '622', '630', '641', '650', '655', '658'], nsnLength: 9, weight: 3 },
  { country: 'IQ', callingCode: '964', prefixes: ['750', '751', '770', '771', '772', '773', '774', '780', '781', '782', '790'], nsnLength: 10, weight: 3 },
  { country: 'IN', callingCode: '91', prefixes: ['600', '601', '602', '603', '605', '620', '630', '690', '691', '692', '695', '697', '699', '700', '701', '702', '703', '704', '705', '706', '707', '708', '709'], nsnLength: 10, weight: 5 },
  { country: 'ID', callingCode: '62', prefixes: ['811', '812', '813', '814', '815', '816', '817', '818', '819', '821', '822', '852', '853', '855', '856', '857', '858', '859', '877', '878', '895', '896', '897', '898', '899'], nsnLength: 11, weight: 2 },
  { country: 'JP', callingCode: '81', prefixes: ['701', '702', '703', '704', '705', '706', '707', '708', '709', '801', '802', '803', '804', '805', '806', '807', '808', '809', '901', '902', '903', '904', '905', '906', '907', '908', '909'], nsnLength: 10, weight: 2 },
  { country: 'KR', callingCode: '82', prefixes: ['100', '101', '102', '103', '104', '106', '107', '108', '109'], nsnLength: 10, weight: 1 },
  { country: 'BR', callingCode: '55', prefixes: ['119', '219', '319', '419', '519', '619', '719', '819', '919'], nsnLength: 11, weight: 3 },
  { country: 'MX', callingCode: '52', prefixes: ['55', '33', '81'], nsnLength: 10, weight: 2 },
  { country: 'AR', callingCode: '54', prefixes: ['9110', '9111', '9112', '9113', '9114', '9115', '9116', '9117', '9118'], nsnLength: 11, weight: 1 },
  { country: 'NG', callingCode: '234', prefixes: ['701', '703', '706', '802', '803', '805', '806', '807', '808', '810', '813', '814', '816', '903', '906'], nsnLength: 10, weight: 2 },
  { country: 'AU', callingCode: '61', prefixes: ['400', '401', '402', '403', '404', '405', '406', '407', '408', '409', '410', '411', '412', '413', '414', '415', '416', '417', '418', '419', '420', '421', '422', '423', '424', '425', '426', '427', '428', '429', '430', '431', '432', '433', '434', '435', '437', '438', '439'], nsnLength: 9, weight: 1 },
];

/** A number of the plan in E.164: calling code, a mobile prefix, random digits to the plan's length. */
export function phoneNumberOf(plan: PhonePlan, rng: () => number): string {
  const prefix = plan.prefixes[Math.floor(rng() * plan.prefixes.length)] ?? '';
  let digits = prefix;
  while (digits.length < plan.nsnLength) digits += String(Math.floor(rng() * 10));
  return `+${plan.callingCode}${digits}`;
}
