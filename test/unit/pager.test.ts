import { queryString } from '../../web/html';
import { offsetParam, pager } from '../../web/views/pager';

/** A list filtered by stage and sorted by file name, as the dead-letters page links its pages. */
const linkTo = (offset: number) => `/dead-letters${queryString({ stage: 'parse', sort: 'fileName', dir: 'desc', offset: offset || undefined })}`;

describe('the pager', () => {
  test('links to first, previous, nearby, next and last pages, keeping the filters and the sort', () => {
    const view = pager({ total: 450, offset: 200, limit: 100 }, 'zh-CN', linkTo).text;
    expect(view).toContain('第 3 / 5 页');
    expect(view).toContain('<a href="/dead-letters?stage=parse&amp;sort=fileName&amp;dir=desc" data-page="1">« 首页</a>');
    expect(view).toContain('<a href="/dead-letters?stage=parse&amp;sort=fileName&amp;dir=desc&amp;offset=100" rel="prev" data-page="2">‹ 上一页</a>');
    expect(view).toContain('<a href="/dead-letters?stage=parse&amp;sort=fileName&amp;dir=desc&amp;offset=300" rel="next" data-page="4">下一页 ›</a>');
    expect(view).toContain('<a href="/dead-letters?stage=parse&amp;sort=fileName&amp;dir=desc&amp;offset=400" data-page="5">末页 »</a>');
    expect(view).toContain('<strong>3</strong>');
    expect(view.match(/data-page="\d+">\d+<\/a>/g)).toEqual(['data-page="1">1</a>', 'data-page="2">2</a>', 'data-page="4">4</a>', 'data-page="5">5</a>']);
  });

  test('first and previous are not links on the first page, next and last not on the last', () => {
    const first = pager({ total: 450, offset: 0, limit: 100 }, 'zh-CN', linkTo).text;
    expect(first).toContain('<span class="muted">« 首页</span>');
    expect(first).toContain('<span class="muted">‹ 上一页</span>');
    expect(first).toContain('rel="next" data-page="2">下一页 ›</a>');

    const last = pager({ total: 450, offset: 400, limit: 100 }, 'en', linkTo).text;
    expect(last).toContain('Page 5 of 5');
    expect(last).toContain('<span class="muted">Next ›</span>');
    expect(last).toContain('<span class="muted">Last »</span>');
    expect(last).toContain('rel="prev" data-page="4">‹ Previous</a>');
  });

  test('pages count from the total: an exact multiple adds no empty page, nothing at all is one page', () => {
    expect(pager({ total: 200, offset: 0, limit: 100 }, 'zh-CN', linkTo).text).toContain('第 1 / 2 页');
    expect(pager({ total: 201, offset: 0, limit: 100 }, 'zh-CN', linkTo).text).toContain('第 1 / 3 页');
    const empty = pager({ total: 0, offset: 0, limit: 100 }, 'zh-CN', linkTo).text;
    expect(empty).toContain('第 1 / 1 页');
    expect(empty).not.toContain('<a ');
  });

  test('an offset from the query: a number, else the start', () => {
    expect(offsetParam('150')).toBe(150);
    expect(offsetParam(undefined)).toBe(0);
    expect(offsetParam('-5')).toBe(0);
    expect(offsetParam('abc')).toBe(0);
  });
});
