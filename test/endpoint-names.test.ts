// Paths become bounded endpoint names: templates, then id-like segments, then `other` past the cap.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EndpointNamer, autoName, pathOf } from '../src/analysis/endpoint-names.ts'

test('numeric, UUID and long hex segments become :id', () => {
  assert.equal(autoName('/users/123/orders/9'), '/users/:id/orders/:id')
  assert.equal(autoName('/v1/items/3f2b8c1e-4d5a-4b6c-8d9e-0a1b2c3d4e5f'), '/v1/items/:id')
  assert.equal(autoName('/objects/507f1f77bcf86cd799439011'), '/objects/:id')
  assert.equal(autoName('/v2/catalog'), '/v2/catalog', 'short words and versions stay')
  assert.equal(autoName('/cafe/beef'), '/cafe/beef', 'short hex-looking words stay')
})

test('the query string never reaches a name', () => {
  const namer = new EndpointNamer([], 10)
  assert.equal(namer.name(pathOf('/search?q=secret&token=abc')), '/search')
  assert.equal(pathOf('/?a=1'), '/')
  assert.equal(pathOf(''), '/')
})

test('configured templates win over automatic naming; * matches the rest', () => {
  const namer = new EndpointNamer(['/users/:name/profile', '/static/*'], 10)
  assert.equal(namer.name('/users/alice/profile'), '/users/:name/profile')
  assert.equal(namer.name('/users/42/profile'), '/users/:name/profile')
  assert.equal(namer.name('/static/js/app.9f8a.js'), '/static/*')
  assert.equal(namer.name('/users/alice'), '/users/alice')
})

test('past maxEndpoints distinct names, the rest is other', () => {
  const namer = new EndpointNamer([], 3)
  assert.deepEqual(['/a', '/b', '/c', '/d', '/e', '/a'].map((p) => namer.name(p)), ['/a', '/b', '/c', 'other', 'other', '/a'])
  assert.equal(namer.size, 3)
})
