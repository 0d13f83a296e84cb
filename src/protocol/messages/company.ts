/** company-get-images: image URLs of a company the hub knows by id (docs/calls/company_get_images.rst). */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { HubId, Text, successResponse } from './call-parts.js';

export const companyGetImages = defineCall({
  name: 'company-get-images',
  roles: ['emp', 'oem'],
  request: Type.Object({ 'company-id': HubId }),
  response: successResponse({
    company: Type.Optional(Text(255)),
    urls: Type.Optional(Type.Array(Text(2048), { maxItems: 1000 })),
  }, ['company', 'urls']),
});

export const companyCalls = { 'company-get-images': companyGetImages } as const;

export type CompanyGetImages = Static<typeof companyGetImages.request>;
export type CompanyGetImagesResponse = Static<typeof companyGetImages.response>;
