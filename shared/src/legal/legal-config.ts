/** The legal desk's part of a process's config (see legalEnvVars). */
export interface LegalConfig {
  legal: {
    accountsIndex: string;
    signInsIndex: string;
    /** Ed25519 private key: PKCS#8 PEM or base64 seed. Absent: the development key pair. */
    signingKey?: string;
    /** base64 of 32 bytes. Absent: the development key. */
    encryptionKey?: string;
  };
}
