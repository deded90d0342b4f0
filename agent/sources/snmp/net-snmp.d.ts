/** The part of net-snmp (CommonJS, no published types) that the snmp source and the demo's fake PDU use. */
declare module 'net-snmp' {
  namespace snmp {
    interface Varbind {
      oid: string;
      type: number;
      value: unknown;
    }
    interface SessionOptions {
      port?: number;
      version?: number;
      timeout?: number;
      retries?: number;
    }
    interface User {
      name: string;
      level: number;
      authProtocol?: number;
      authKey?: string;
      privProtocol?: number;
      privKey?: string;
    }
    interface Session {
      get(oids: string[], callback: (error: Error | null, varbinds: Varbind[]) => void): void;
      subtree(oid: string, maxRepetitions: number, feed: (varbinds: Varbind[]) => boolean | void, done: (error: Error | null) => void): void;
      close(): void;
      on(event: 'error', listener: (error: Error) => void): void;
    }
    interface MibNode {
      value: unknown;
      valueType: number;
    }
    interface Mib {
      registerProvider(provider: object): void;
      addProviderToNode(provider: object): void;
      addNodesForOid(oid: string): MibNode;
    }
    interface Agent {
      getAuthorizer(): { addCommunity(community: string): void; addUser(user: User): void };
      getMib(): Mib;
      close(callback?: () => void): void;
      listener: { send(message: unknown, rinfo: { address: string; port: number }, socket: import('node:dgram').Socket): void };
    }
    function createSession(target: string, community: string, options?: SessionOptions): Session;
    function createV3Session(target: string, user: User, options?: SessionOptions): Session;
    function createAgent(options: { port: number; address: string; accessControlModelType?: number; disableAuthorization?: boolean }, callback: (error: Error | null) => void): Agent;
    function isVarbindError(varbind: Varbind): boolean;
    function varbindError(varbind: Varbind): string;
    const Version1: number;
    const Version2c: number;
    const Version3: number;
    const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    const AuthProtocols: { none: number; md5: number; sha: number; sha224: number; sha256: number; sha384: number; sha512: number };
    const PrivProtocols: { none: number; des: number; aes: number; aes256b: number; aes256r: number };
    const ObjectType: Record<string, number>;
    const MibProviderType: { Scalar: number; Table: number };
    const MaxAccess: Record<string, number>;
    const AccessControlModelType: { None: number; Simple: number };
  }
  export = snmp;
}
