import { agencyIdentity, agencyKey } from '../../shared/agency';
import { parseExpectedAgencies } from '../../shared/expected-agencies';

describe('agency identity: place and folded name', () => {
  test.each([
    ['攀枝花市米易县人民政府', '米易县人民政府'],
    ['四川省攀枝花市米易县人民政府', '米易县政府'],
    ['米易縣人民政府', '米易县人民政府'],
    ['米易县政府办', '米易县人民政府办公室'],
    ['攀枝花市仁和区人民政府办公室', '仁和区政府办公室'],
    ['北京市朝阳区人民政府办公室', '北京市朝阳区政府办公室'],
    ['凉山彝族自治州会理市人民政府', '会理市人民政府'],
    ['上海市浦东新区人民政府', '浦东新区人民政府'],
    ['安徽省马鞍山市和县人民政府', '和县人民政府'],
    ['四川省攀枝花市城市管理行政执法局', '攀枝花市城市管理行政执法局'],
    ['兖州 城市管理行政执法局', '兖州城市管理行政执法局'],
    ['仁和区\u3000人民政府\n办公室\u200b', '仁和区人民政府办公室'],
    ['攀枝花市城市管理行政执法局（攀枝花市城市管理局）', '攀枝花市城市管理行政执法局(攀枝花市城市管理局)'],
    ['米易县１２３４５政务服务热线', '米易县12345政务服务热线'],
  ])('%s = %s', (a, b) => {
    expect(agencyKey(a)).toBe(agencyKey(b));
  });

  test.each([
    // Same-named districts of different cities.
    ['内江市市中区人民政府', '乐山市市中区人民政府'],
    ['南京市鼓楼区人民政府', '福州市鼓楼区人民政府'],
    // Places that cannot be placed are never cut.
    ['甲市第3区人民政府', '乙市第3区人民政府'],
    ['内江市市中区人民政府', '市中区人民政府'],
    // A city's organs keep their city.
    ['攀枝花市城市管理行政执法局', '成都市城市管理行政执法局'],
    ['攀枝花市市场监督管理局', '成都市市场监督管理局'],
    ['成都市高新区管理委员会', '西安市高新区管理委员会'],
    ['攀枝花市公安局仁和区分局', '成都市公安局仁和区分局'],
    // Towns repeat across counties, so the county stays.
    ['米易县攀莲镇人民政府', '攀莲镇人民政府'],
    // Different places and different organs.
    ['米易县人民政府', '盐边县人民政府'],
    ['米易县人民政府', '米易县人民政府办公室'],
    ['四川省人民政府办公厅', '四川省人民政府办公室'],
    ['攀枝花市人民政府', '米易县人民政府'],
  ])('%s ≠ %s', (a, b) => {
    expect(agencyKey(a)).not.toBe(agencyKey(b));
  });

  test('the key is the division code and the organ; the full name carries the place', () => {
    expect(agencyIdentity('内江市市中区人民政府')).toEqual({ key: '511002:政府', divisionCode: '511002', fullName: '内江市市中区人民政府' });
    expect(agencyIdentity('乐山市市中区人民政府')).toEqual({ key: '511102:政府', divisionCode: '511102', fullName: '乐山市市中区人民政府' });
    expect(agencyIdentity('米易縣人民政府')).toEqual({ key: '510421:政府', divisionCode: '510421', fullName: '攀枝花市米易县人民政府' });
    expect(agencyIdentity('攀枝花市城市管理行政执法局')).toEqual({ key: '510400:城市管理行政执法局', divisionCode: '510400', fullName: '攀枝花市城市管理行政执法局' });
  });

  test('市中区 alone is placed by the report around it', () => {
    expect(agencyIdentity('市中区人民政府')).toEqual({ key: '市中区政府', divisionCode: null, fullName: '市中区人民政府' });
    const neijiang = agencyIdentity('市中区人民政府', { title: '内江市市中区人民政府2023年政府信息公开工作年度报告' });
    expect(neijiang).toEqual({ key: '511002:政府', divisionCode: '511002', fullName: '内江市市中区人民政府' });
    const leshan = agencyIdentity('市中区人民政府', { opening: '来源：乐山市人民政府\n市中区人民政府2023年政府信息公开工作年度报告' });
    expect(leshan.key).toBe('511102:政府');
    expect(agencyIdentity('区人民政府办公室', { title: '乐山市市中区人民政府办公室2023年年度报告' })).toEqual({
      key: '511102:政府办公室',
      divisionCode: '511102',
      fullName: '乐山市市中区人民政府办公室',
    });
  });

  test('a city organ printed without its city is placed by the title', () => {
    const identity = agencyIdentity('城市管理行政执法局', { title: '攀枝花市城市管理行政执法局2021年政府信息公开工作年度报告' });
    expect(identity).toEqual({ key: agencyKey('攀枝花市城市管理行政执法局'), divisionCode: '510400', fullName: '攀枝花市城市管理行政执法局' });
  });

  test('a name with no place is placed by the title or a 来源 line, never by places the body writes about', () => {
    expect(agencyIdentity('区政府办公室', { opening: '来源：乐山市市中区人民政府办公室\n一、总体情况' }).divisionCode).toBe('511102');
    expect(agencyIdentity('区政府办公室', { opening: '一、总体情况\n本年度赴内江市市中区学习政务公开经验。' }).divisionCode).toBeNull();
    // …but the body's places do choose between same-named ones.
    expect(agencyIdentity('市中区人民政府', { opening: '一、总体情况\n内江市委、市政府部署，市中区……' }).divisionCode).toBe('511002');
  });

  test('names without places keep the whole name', () => {
    expect(agencyIdentity('甲市第3区人民政府')).toEqual({ key: '甲市第3区政府', divisionCode: null, fullName: '甲市第3区人民政府' });
    const tenCities = Array.from({ length: 10 }, (_, index) => agencyKey(`${'甲乙丙丁戊己庚辛壬癸'[index]}市第3区人民政府`));
    expect(new Set(tenCities).size).toBe(10);
  });

  test('the expected list places its agencies and maps aliases to them', () => {
    const expected = parseExpectedAgencies(
      ['division_code,agency,aliases', '# 内江市', '511002,市中区人民政府,市中区政府|内江市中区政府', '370812,兖州区城市管理行政执法局,兖州城市管理行政执法局', ''].join('\n'),
    );
    expect(expected.map((entry) => [entry.key, entry.fullName, entry.region])).toEqual([
      ['511002:政府', '内江市市中区人民政府', '内江市'],
      ['370812:城市管理行政执法局', '济宁市兖州区城市管理行政执法局', '济宁市'],
    ]);
    expect(agencyIdentity('市中区人民政府', { expected }).key).toBe('511002:政府');
    expect(agencyIdentity('兖州 城市管理行政执法局', { expected }).key).toBe(agencyKey('兖州区城市管理行政执法局'));
    // A name the list does not give is still placed by its own words.
    expect(agencyIdentity('乐山市市中区人民政府', { expected }).key).toBe('511102:政府');
    expect(() => parseExpectedAgencies('999999,无此地政府,')).toThrow(/line 1/);
  });

  test('folding is idempotent on the full name', () => {
    for (const name of ['四川省攀枝花市米易县人民政府', '兖州 城市管理行政执法局', '攀枝花市东区人民政府', '米易縣人民政府']) {
      const identity = agencyIdentity(name);
      expect(agencyIdentity(identity.fullName).key).toBe(identity.key);
    }
  });
});
