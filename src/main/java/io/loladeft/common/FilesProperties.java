package io.loladeft.common;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the files a request may name live ({@code loladeft.files.*}).
 *
 * @param roots the only directories a request may point the service at ({@link PathRoots}); relative paths resolve
 *              against the first
 */
@ConfigurationProperties("loladeft.files")
public record FilesProperties(@DefaultValue("./data") List<String> roots) {}
