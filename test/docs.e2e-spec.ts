import { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { DataSource } from 'typeorm';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => t?.close());

  it('serves the OpenAPI document with bearer auth and documented errors on every API route', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const doc = res.body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; summary?: string; security?: unknown[] }>>)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThanOrEqual(18);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, op.summary]).toEqual([where, expect.any(String)]);
      expect([where, op.security]).toEqual([where, [{ bearer: [] }]]);
      expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['401'])]);
      const success = Object.keys(op.responses).find((code) => code.startsWith('2'));
      expect([where, success]).toEqual([where, expect.any(String)]);
    }
    const create = doc.paths['/api/v1/tickets'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '413']));
    expect(create.responses['400'].content['application/json'].example.errors[0].field).toBe('priority');
    expect(doc.components.schemas.CreateTicketDto.properties.priority.enum).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('creates a ticket from the Swagger UI page in headless Chromium after authorizing', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/docs`);
      await page.getByRole('button', { name: /Authorize/ }).first().click();
      await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(ADMIN_TOKEN);
      await page.locator('.modal-ux button.authorize').click();
      await page.locator('.modal-ux button.btn-done, .modal-ux button.close-modal').first().click();

      const operation = page.locator('#operations-tickets-TicketsController_create');
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.locator('textarea.body-param__text').fill(JSON.stringify({ title: 'Filed from Swagger UI', priority: 'high' }));
      await operation.getByRole('button', { name: 'Execute' }).click();
      await operation.locator('.live-responses-table .response-col_status').first().waitFor();
      const status = await operation.locator('.live-responses-table .response .response-col_status').first().innerText();
      expect(status.trim()).toBe('201');
    } finally {
      await browser.close();
    }
    const rows = await t.app.get(DataSource).query(`SELECT title, priority FROM tickets WHERE title = 'Filed from Swagger UI'`);
    expect(rows).toEqual([{ title: 'Filed from Swagger UI', priority: 'high' }]);
  });
});
