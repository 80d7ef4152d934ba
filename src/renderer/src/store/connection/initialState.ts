import type { ConnectionStatus } from '../../api/connection'

export interface ConnectionState {
  connection: ConnectionStatus
}

export const initialConnectionState: ConnectionState = {
  connection: 'connecting',
}
