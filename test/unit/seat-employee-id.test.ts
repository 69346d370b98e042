import { describe, expect, it } from 'vitest';
import { employeeIdOfSeat } from '../../src/upstream/sip/schemas.ts';

describe('employeeIdOfSeat (GetQueueSipStatus has no crmid; seatsname is <crmid>_<extnumber>_<queuename>)', () => {
  it('reads the id from a name of that form for the row itself', () => {
    expect(employeeIdOfSeat('1042_8001_sales', '8001', 'sales')).toBe(1042);
    expect(employeeIdOfSeat('0_8001_night_shift', '8001', 'night_shift')).toBe(0);
  });
  it('is null for any other name, so a wrong id is never reported', () => {
    expect(employeeIdOfSeat(null, '8001', 'sales')).toBeNull();
    expect(employeeIdOfSeat('', '8001', 'sales')).toBeNull();
    expect(employeeIdOfSeat('9026004_9026004_autocall-9026', '100001', 'queue-1')).toBeNull();
    expect(employeeIdOfSeat('agent_8001_sales', '8001', 'sales')).toBeNull();
    expect(employeeIdOfSeat('_8001_sales', '8001', 'sales')).toBeNull();
    expect(employeeIdOfSeat('12_98001_sales', '8001', 'sales')).toBeNull();
  });
});
