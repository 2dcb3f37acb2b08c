/** Server configuration: one validated record bound from application.yml and the environment. */
package io.flexserve.server.config;
