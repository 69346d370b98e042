/**
 * The callback examples of the SIP manual, copied as they are printed there. Where the
 * manual's JSON is broken (the common call-record example lacks three commas), `CALL_RECORD_COMMON` is the example
 * with the commas put back and `CALL_RECORD_COMMON_AS_PRINTED` is the text as printed.
 */

/** "Common API - Extension call state callback parameters" (seed lines ~690). */
export const EXTENSION_STATUS_COMMON = {
  buuid: '526d643a-e8fe-11ea-a84a-cf6e45e88543',
  callee: '87847569524',
  caller: '90240005',
  companycode: '9024',
  customuuid: '123Abc',
  direction: 'callout',
  disnumber: '2190240001',
  extnumber: '90240005',
  isbleg: 'false',
  method: '3',
  starttime: '1598598959',
  status: 'ring',
  type: 'call',
  uuid: '526d637c-e8fe-11ea-a849-cf6e45e88543',
} as const;

/** "Predictive Outbound - Callback data description", extension status example (seed lines ~865). */
export const EXTENSION_STATUS_PREDICTIVE = {
  buuid: '9c6f2092-6aad-11eb-a1b9-5107cdf1d50a',
  callee: '89683227899',
  caller: '20280005',
  companycode: '2028',
  direction: 'callout',
  disnumber: '2120280001',
  extnumber: '20280005',
  isbleg: 'true',
  method: '2',
  starttime: '1612857945',
  status: 'ring',
  type: 'call',
  uuid: '9c568ac8-6aad-11eb-a1b3-5107cdf1d50a',
} as const;

/** "Common API - call record callback parameters" (seed lines ~535), with the missing commas restored. */
export const CALL_RECORD_COMMON = {
  callmethod: 3,
  starttime: '2018-03-14 12:18:21',
  answertime: '',
  endtime: '2018-03-14 12:18:35',
  duration: 14,
  billsec: 0,
  crmid: '2001',
  hangupdirection: 10015,
  chengshudu: '0',
  hangupcause: 10001,
  memberid: '18533700187590656',
  disnumber: '02566823420',
  destnumber: '015029913692',
  downloadip: '120.76.152.137',
  recordfilename: '',
  companycode: 20000013,
  type: 'callout',
  id: 982,
  extnumber: '7003',
  uuid: 'cda5c6c4-0a17-11e8-b177-e7cbf2bd1f36',
  userkey: 1,
  customuuid: 'customuuid',
} as const;

/** The same example exactly as the manual prints it: not valid JSON. */
export const CALL_RECORD_COMMON_AS_PRINTED = `{
"callmethod": 3,
"starttime": "2018-03-14 12:18:21",
"answertime": "",
"endtime": "2018-03-14 12:18:35",
"duration": 14,
"billsec": 0,
"crmid": "2001",
"hangupdirection": 10015,
"chengshudu": "0",
"hangupcause": 10001,
"memberid": "18533700187590656",
"disnumber": "02566823420",
"destnumber": "015029913692",
"downloadip": "120.76.152.137",
"recordfilename": "",
"companycode": 20000013,
"type": "callout",
"id": 982,
"extnumber": "7003"
"uuid": "cda5c6c4-0a17-11e8-b177-e7cbf2bd1f36"
"userkey":1
"customuuid": "customuuid"
}`;

/** "Predictive Outbound - Callback data description", call record example (seed lines ~885): no `id`. */
export const CALL_RECORD_PREDICTIVE = {
  type: 'callout',
  callmethod: 6,
  starttime: '2021-02-09 10:00:03',
  answertime: '',
  endtime: '2021-02-09 10:00:15',
  duration: 12,
  billsec: 0,
  crmid: '0',
  memberid: '0',
  chengshudu: '0',
  disnumber: '211040260001',
  destnumber: '81211623586',
  extnumber: '000000',
  recordfilename: '',
  downloadip: '',
  hangupdirection: 10040,
  hangupcause: 10020,
  companycode: '104026',
  uuid: '863ff91e-6a7a-11eb-acf1-5107cdf1d50a',
  userkey: '',
  customuuid: '110001475',
} as const;

/** "Predictive task status callback data format" (seed lines ~1370). */
export const TASK_STATUS = {
  taskid: '20210222110030244314',
  companycode: '9027',
  status: 3,
} as const;
