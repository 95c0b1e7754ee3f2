import { ancestors, childDivisions, divisionByCode, divisionsNamed, findDivision, isWithin, provinces } from '../../shared/divisions';

describe('divisions (GB/T 2260)', () => {
  test('the whole country, three levels, placeholders left out', () => {
    expect(provinces().map((province) => province.name)).toEqual(expect.arrayContaining(['北京市', '四川省', '内蒙古自治区', '新疆维吾尔自治区']));
    expect(provinces().length).toBeGreaterThanOrEqual(31);
    expect(divisionByCode('511002')).toEqual({ code: '511002', name: '市中区', level: 'county', parentCode: '511000', fullName: '四川省内江市市中区' });
    expect(divisionByCode('510400')).toMatchObject({ name: '攀枝花市', level: 'city', parentCode: '510000' });
    expect(childDivisions('510400').map((division) => division.name)).toEqual(expect.arrayContaining(['东区', '西区', '仁和区', '米易县', '盐边县']));
    expect(childDivisions('510400').map((division) => division.name)).not.toContain('市辖区');
    expect(divisionByCode('510401')).toBeUndefined();
    expect(ancestors('510421').map((division) => division.name)).toEqual(['四川省', '攀枝花市']);
    expect(ancestors('510000')).toEqual([]);
  });

  test('municipalities, counties directly under a province, autonomous prefectures and leagues', () => {
    expect(divisionByCode('110101')).toMatchObject({ name: '东城区', parentCode: '110000', fullName: '北京市东城区' });
    expect(divisionByCode('429004')).toMatchObject({ name: '仙桃市', level: 'county', parentCode: '420000', fullName: '湖北省仙桃市' });
    expect(findDivision('北京市东城区人民政府')?.code).toBe('110101');
    expect(findDivision('北京市 东城区 人民政府')?.code).toBe('110101');
    expect(findDivision('湖北省仙桃市人民政府')?.code).toBe('429004');
    expect(findDivision('凉山州会理市人民政府')?.fullName).toBe('四川省凉山彝族自治州会理市');
    expect(findDivision('锡林郭勒盟行政公署')?.level).toBe('city');
    expect(findDivision('阿里地区行政公署')?.level).toBe('city');
    expect(isWithin('510421', '510000')).toBe(true);
    expect(isWithin('511002', '511100')).toBe(false);
  });

  test('the most specific division a name names', () => {
    expect(findDivision('内江市市中区人民政府')?.code).toBe('511002');
    expect(findDivision('乐山市市中区人民政府')?.code).toBe('511102');
    expect(findDivision('乐山市中区人民政府')?.code).toBe('511102');
    expect(findDivision('四川省攀枝花市米易县人民政府')?.code).toBe('510421');
    expect(findDivision('米易縣人民政府')?.code).toBe('510421');
    expect(findDivision('南京市鼓楼区人民政府')?.code).toBe('320106');
    expect(findDivision('福州市鼓楼区人民政府')?.code).toBe('350102');
    expect(findDivision('攀枝花市城市管理行政执法局')?.code).toBe('510400');
  });

  test('a short ambiguous name is resolved from the rest of the report, else left unplaced', () => {
    expect(divisionsNamed('市中区').length).toBeGreaterThan(1);
    expect(findDivision('市中区人民政府')).toBeUndefined();
    expect(findDivision('鼓楼区人民政府')).toBeUndefined();
    expect(findDivision('市中区人民政府', { texts: ['内江市市中区人民政府2023年政府信息公开工作年度报告'] })?.code).toBe('511002');
    expect(findDivision('市中区人民政府', { texts: [null, '来源：乐山市人民政府网站\n发布时间：2024-01-20'] })?.code).toBe('511102');
    expect(findDivision('鼓楼区人民政府', { texts: ['福州市鼓楼区2023年政府信息公开工作年度报告'] })?.code).toBe('350102');
    expect(findDivision('鼓楼区人民政府', { expectedCodes: ['320106'] })?.code).toBe('320106');
    // Both cities named: nothing to choose by.
    expect(findDivision('市中区人民政府', { texts: ['内江市、乐山市'] })).toBeUndefined();
  });

  test('a name with no place takes the place its title names; names of no place stay unplaced', () => {
    expect(findDivision('区政府办公室', { texts: ['乐山市市中区人民政府办公室2023年政府信息公开工作年度报告'] })?.code).toBe('511102');
    expect(findDivision('甲市第3区人民政府')).toBeUndefined();
    expect(findDivision('区政府办公室')).toBeUndefined();
  });

  test('placing is fast enough for a 10,000-report migration in seconds, not minutes', () => {
    const opening = `内江市市中区人民政府2023年政府信息公开工作年度报告\n${'本报告根据《中华人民共和国政府信息公开条例》编制。'.repeat(120)}`;
    const started = performance.now();
    // 2,000 ambiguous names, each read against a 3,000-character opening: the slowest case.
    for (let report = 0; report < 2_000; report++) expect(findDivision('市中区人民政府', { texts: ['市中区人民政府2023年年度报告', opening] })?.code).toBe('511002');
    expect(performance.now() - started).toBeLessThan(6_000);
  });
});
