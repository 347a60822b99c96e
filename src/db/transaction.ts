export { databaseFor } from '@shrutik/plugin-sdk/runtime'
