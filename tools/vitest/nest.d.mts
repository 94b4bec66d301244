import type { Plugin } from 'vite';
export declare function nestSwcPlugin(): Plugin;
