import { agencyKey } from '../../shared/agency';

describe('agencyKey', () => {
  test.each([
    ['攀枝花市米易县人民政府', '米易县人民政府'],
    ['四川省攀枝花市米易县人民政府', '米易县政府'],
    ['米易县政府办', '米易县人民政府办公室'],
    ['区政府办公室', '区人民政府办公室'],
    ['攀枝花市仁和区人民政府办公室', '仁和区政府办公室'],
    ['北京市朝阳区人民政府办公室', '朝阳区人民政府办公室'],
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
    // 城市 and 市场 are not divisions: the city stays and tells the bureaus apart.
    ['攀枝花市城市管理行政执法局', '成都市城市管理行政执法局'],
    ['攀枝花市市场监督管理局', '成都市市场监督管理局'],
    // Generic zones and organs' branches keep their city.
    ['成都市高新区管理委员会', '西安市高新区管理委员会'],
    ['攀枝花市公安局仁和区分局', '成都市公安局仁和区分局'],
    // One-character districts name nothing without their city.
    ['攀枝花市东区人民政府', '东区人民政府'],
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

  test('the key is the lowest division and the organ, 人民政府 shortened', () => {
    expect(agencyKey('四川省攀枝花市米易县人民政府')).toBe('米易县政府');
    expect(agencyKey('攀枝花市城市管理行政执法局')).toBe('攀枝花市城市管理行政执法局');
    expect(agencyKey('米易县政府办')).toBe('米易县政府办公室');
  });

  test('folding is idempotent', () => {
    for (const name of ['四川省攀枝花市米易县人民政府', '兖州 城市管理行政执法局', '攀枝花市东区人民政府']) {
      expect(agencyKey(agencyKey(name))).toBe(agencyKey(name));
    }
  });
});
